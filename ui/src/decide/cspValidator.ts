// A JSON Schema validator for @rjsf/core that works under the app's CSP.
//
// Why not @rjsf/validator-ajv8: Ajv compiles every schema to code with `new Function`,
// which `script-src 'self'` (no 'unsafe-eval') blocks, so the edit form would throw as
// soon as it validates. @cfworker/json-schema interprets schemas without eval.
import { Validator, type Schema, type SchemaDraft } from "@cfworker/json-schema";
import {
  createErrorHandler,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
  type CustomValidator,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from "@rjsf/utils";

// Keywords that only report "a sub-schema failed"; the failing leaf is reported separately.
const WRAPPERS = new Set([
  "properties",
  "patternProperties",
  "items",
  "prefixItems",
  "allOf",
  "$ref",
  "$dynamicRef",
  "if",
  "then",
  "else",
  "dependentSchemas",
]);

function draftOf(schema: RJSFSchema): SchemaDraft {
  const s = typeof schema.$schema === "string" ? schema.$schema : "";
  if (s.includes("draft-04")) return "4";
  if (s.includes("draft-07") || s.includes("draft-06")) return "7";
  if (s.includes("2019-09")) return "2019-09";
  return "2020-12";
}

/** "#/a%20b/0" → ".a b.0" style rjsf property path (bracket form for awkward keys). */
function toProperty(pointer: string): string {
  const parts = pointer
    .replace(/^#/, "")
    .split("/")
    .slice(1)
    .map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"));
  return parts
    .map((p) => (/^[A-Za-z0-9_$]+$/.test(p) ? `.${p}` : `['${p.replace(/'/g, "\\'")}']`))
    .join("");
}

// Compiled validators, per schema object (rjsf passes the same objects repeatedly).
const cache = new WeakMap<object, Validator>();

function validatorFor(schema: RJSFSchema, rootSchema?: RJSFSchema): Validator {
  const hit = cache.get(schema);
  if (hit) return hit;
  // rjsf asks about sub-schemas whose $refs point into the root: carry its definitions.
  const full: Schema = {
    ...(rootSchema?.definitions ? { definitions: rootSchema.definitions } : {}),
    ...(rootSchema?.$defs ? { $defs: rootSchema.$defs } : {}),
    ...(schema as Schema),
  };
  const v = new Validator(full, draftOf(rootSchema ?? schema), false);
  cache.set(schema, v);
  return v;
}

export function rawErrors(
  schema: RJSFSchema,
  data: unknown,
  rootSchema?: RJSFSchema,
): RJSFValidationError[] {
  const result = validatorFor(schema, rootSchema).validate(data);
  if (result.valid) return [];
  return result.errors
    .filter((e) => !WRAPPERS.has(e.keyword))
    .map((e) => {
      let property = toProperty(e.instanceLocation);
      if (e.keyword === "required") {
        const missing = /"([^"]*)"/.exec(e.error)?.[1];
        if (missing !== undefined) property += toProperty(`#/${encodeURIComponent(missing)}`);
      }
      const message = e.error.replace(/^Instance /, "");
      return {
        name: e.keyword,
        property,
        message,
        schemaPath: e.keywordLocation,
        stack: `${property || "value"}: ${message}`,
      };
    });
}

export const cspValidator: ValidatorType = {
  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    let errors = rawErrors(schema, formData);
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const base = { errors, errorSchema: toErrorSchema(errors) };
    if (!customValidate) return base;
    const handler = customValidate(formData, createErrorHandler(formData), uiSchema);
    return validationDataMerge(base, unwrapErrorHandler(handler));
  },
  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    try {
      return rawErrors(schema, formData, rootSchema).length === 0;
    } catch {
      return false; // An invalid schema validates nothing (rjsf's documented contract).
    }
  },
  rawValidation<Result>(schema: RJSFSchema, formData?: unknown) {
    try {
      return { errors: rawErrors(schema, formData) as Result[] };
    } catch (e) {
      return { validationError: e as Error };
    }
  },
};
