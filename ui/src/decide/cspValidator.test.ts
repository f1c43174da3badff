import { describe, expect, it } from "vitest";
import { diffArgs } from "./argsDiff";
import { cspValidator } from "./cspValidator";

const schema = {
  type: "object" as const,
  required: ["to"],
  properties: {
    to: { type: "string" as const, minLength: 3 },
    "odd key": { type: "number" as const },
    items: { type: "array" as const, items: { $ref: "#/$defs/n" } },
  },
  $defs: { n: { type: "integer" as const } },
};

describe("cspValidator", () => {
  it("reports leaf errors with rjsf property paths", () => {
    const { errors, errorSchema } = cspValidator.validateFormData(
      { "odd key": "x", items: [1, "q"] },
      schema,
    );
    const byProp = Object.fromEntries(errors.map((e) => [e.property, e.name]));
    expect(byProp).toEqual({ ".to": "required", "['odd key']": "type", ".items.1": "type" });
    expect(errorSchema.to?.__errors?.length).toBe(1);
  });

  it("accepts valid data and resolves $refs into the root for sub-schemas", () => {
    expect(cspValidator.validateFormData({ to: "alice" }, schema).errors).toEqual([]);
    expect(cspValidator.isValid({ $ref: "#/$defs/n" }, 3, schema)).toBe(true);
    expect(cspValidator.isValid({ $ref: "#/$defs/n" }, 3.5, schema)).toBe(false);
  });
});

describe("diffArgs", () => {
  it("ignores key order and lists added, removed and changed keys", () => {
    expect(diffArgs({ a: 1, b: { x: 1, y: 2 } }, { b: { y: 2, x: 1 }, a: 1 })).toEqual([]);
    expect(diffArgs({ a: 1, b: 2 }, { a: 3, c: 4 })).toEqual([
      { kind: "changed", key: "a", before: 1, after: 3 },
      { kind: "removed", key: "b", before: 2 },
      { kind: "added", key: "c", after: 4 },
    ]);
    expect(diffArgs("x", "y")).toEqual([
      { kind: "changed", key: "(value)", before: "x", after: "y" },
    ]);
  });
});
