import type { JsonValue } from "../gen";
import { FoldedText } from "./FoldedText";

/** Values longer than this are folded behind an expand control. */
const VALUE_FOLD = 400;
/** A hostile packet could carry 100k keys; beyond this the rest shows as folded raw JSON. */
const MAX_KEYS = 200;
const KEY_FOLD = 120;

export function formatJson(value: JsonValue | undefined): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function Value({ value, name }: { value: JsonValue; name: string }) {
  const text = formatJson(value);
  const cls = typeof value === "string" ? "text-block arg-string" : "text-block arg-json";
  return <FoldedText text={text} limit={VALUE_FOLD} label={`argument ${name}`} className={cls} />;
}

/** The proposed call's arguments: one row per top-level key, long values folded. */
export function ArgsView({ args }: { args: JsonValue }) {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    return <Value value={args} name="value" />;
  }
  const entries = Object.entries(args);
  if (entries.length === 0) return <p className="hint">No arguments.</p>;
  const shown = entries.slice(0, MAX_KEYS);
  const rest = entries.slice(MAX_KEYS);
  return (
    <>
      <dl className="args">
        {shown.map(([key, value]) => {
          const shortKey = key.length > KEY_FOLD ? `${key.slice(0, KEY_FOLD)}…` : key;
          return (
            <div key={key} className="arg">
              <dt title={key.length > KEY_FOLD ? undefined : key}>{shortKey}</dt>
              <dd>
                <Value value={value} name={shortKey} />
              </dd>
            </div>
          );
        })}
      </dl>
      {rest.length > 0 ? (
        <>
          <p className="hint">{rest.length} more arguments:</p>
          <FoldedText
            text={JSON.stringify(Object.fromEntries(rest), null, 2)}
            limit={VALUE_FOLD}
            label="remaining arguments"
          />
        </>
      ) : null}
    </>
  );
}
