import type { JsonValue } from "../gen";

export type Change =
  | { kind: "added"; key: string; after: JsonValue }
  | { kind: "removed"; key: string; before: JsonValue }
  | { kind: "changed"; key: string; before: JsonValue; after: JsonValue };

/** JSON text with sorted keys, so key order never counts as an edit. */
export function canonical(v: JsonValue | undefined): string {
  if (v === undefined) return "undefined";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
}

const isObject = (v: JsonValue): v is { [k: string]: JsonValue } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Top-level key-by-key differences; a non-object value is compared as a whole ("(value)"). */
export function diffArgs(before: JsonValue, after: JsonValue): Change[] {
  if (!isObject(before) || !isObject(after)) {
    return canonical(before) === canonical(after)
      ? []
      : [{ kind: "changed", key: "(value)", before, after }];
  }
  const changes: Change[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const inBefore = Object.prototype.hasOwnProperty.call(before, key);
    const inAfter = Object.prototype.hasOwnProperty.call(after, key);
    if (inBefore && !inAfter)
      changes.push({ kind: "removed", key, before: before[key] as JsonValue });
    else if (!inBefore && inAfter)
      changes.push({ kind: "added", key, after: after[key] as JsonValue });
    else if (canonical(before[key]) !== canonical(after[key])) {
      changes.push({
        kind: "changed",
        key,
        before: before[key] as JsonValue,
        after: after[key] as JsonValue,
      });
    }
  }
  return changes;
}
