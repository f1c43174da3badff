import { useState } from "react";
import type { ContextItem } from "../gen";
import { FoldedText } from "./FoldedText";
import { LinkConfirm, isOpenableUrl } from "./LinkConfirm";
import { Markdown } from "./Markdown";

/** Evidence the agent attached: title, source (a link only after confirmation), excerpt. */
export function ContextList({ items }: { items: ContextItem[] }) {
  const [link, setLink] = useState<string>();
  if (items.length === 0) return <p className="hint">No context attached.</p>;
  return (
    <ul className="context-list">
      {items.map((item, i) => (
        <li key={i} className="context-item">
          <FoldedText
            text={item.title || "(untitled)"}
            limit={300}
            label={`context ${i + 1} title`}
            className="context-title"
          />
          {item.source ? (
            isOpenableUrl(item.source) ? (
              <button
                type="button"
                className="link-button"
                aria-label={`Open source of context ${i + 1}: ${item.source.slice(0, 200)}`}
                onClick={() => setLink(item.source)}
              >
                {item.source.length > 200 ? `${item.source.slice(0, 200)}…` : item.source}
              </button>
            ) : (
              <FoldedText text={item.source} limit={200} label={`context ${i + 1} source`} />
            )
          ) : null}
          {item.excerpt ? (
            <Markdown source={item.excerpt} label={`context ${i + 1} excerpt`} />
          ) : null}
        </li>
      ))}
      {link ? <LinkConfirm url={link} onClose={() => setLink(undefined)} /> : null}
    </ul>
  );
}
