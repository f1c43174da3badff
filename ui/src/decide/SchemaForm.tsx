// The Form itself, not the package index: @rjsf/core's index also exports its test registry,
// which imports @rjsf/validator-ajv8 (Ajv cannot run under the app's CSP; see cspValidator.ts).
import Form from "@rjsf/core/lib/components/Form.js";
import type { RJSFSchema, UiSchema } from "@rjsf/utils";
import type { JsonValue } from "../gen";
import { cspValidator } from "./cspValidator";

// The sign button lives outside the generated form, so hide rjsf's own submit button.
const UI_SCHEMA: UiSchema = { "ui:submitButtonOptions": { norender: true } };

interface Props {
  schema: RJSFSchema;
  value: JsonValue;
  onChange: (value: JsonValue, valid: boolean) => void;
}

/** A form generated from the packet's args_schema, validated live. */
export default function SchemaForm({ schema, value, onChange }: Props) {
  return (
    <Form
      schema={schema}
      uiSchema={UI_SCHEMA}
      validator={cspValidator}
      formData={value}
      liveValidate="onChange"
      showErrorList={false}
      noHtml5Validate
      idPrefix="edit"
      onChange={(e) => onChange(e.formData as JsonValue, e.errors.length === 0)}
      // Enter inside a field must not sign anything: submitting here is a no-op.
      onSubmit={() => undefined}
    />
  );
}
