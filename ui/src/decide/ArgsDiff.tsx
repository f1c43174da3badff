import { FoldedText } from "../packet/FoldedText";
import { formatJson } from "../packet/ArgsView";
import type { JsonValue } from "../gen";
import { diffArgs } from "./argsDiff";

const FOLD = 300;

function Cell({ value, label }: { value: JsonValue | undefined; label: string }) {
  if (value === undefined) return <span className="hint">(none)</span>;
  return <FoldedText text={formatJson(value)} limit={FOLD} label={label} />;
}

/** What signing will change compared with the agent's proposal. */
export function ArgsDiff({ before, after }: { before: JsonValue; after: JsonValue }) {
  const changes = diffArgs(before, after);
  if (changes.length === 0) {
    return (
      <p className="hint" role="status">
        No changes to the proposed arguments yet.
      </p>
    );
  }
  return (
    <table className="diff" aria-label="Changes to the arguments">
      <thead>
        <tr>
          <th scope="col">Argument</th>
          <th scope="col">Proposed</th>
          <th scope="col">Edited</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.key} className={`diff-${c.kind}`}>
            <th scope="row">
              {c.key} <span className="diff-kind">({c.kind})</span>
            </th>
            <td className="diff-before">
              <Cell value={c.kind === "added" ? undefined : c.before} label={`proposed ${c.key}`} />
            </td>
            <td className="diff-after">
              <Cell value={c.kind === "removed" ? undefined : c.after} label={`edited ${c.key}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
