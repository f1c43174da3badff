import { useState } from "react";
import { formatBytes } from "../format";

export const DEFAULT_FOLD = 2_000;

interface Props {
  text: string;
  /** Characters shown before folding. */
  limit?: number;
  /** Names the content for the expand button's accessible name. */
  label: string;
  className?: string;
}

/**
 * Plain-text display of untrusted content that may be huge (a 5 MB field). Only a prefix
 * is rendered until the reviewer asks; "Show all" still renders a text node, never HTML.
 */
export function FoldedText({ text, limit = DEFAULT_FOLD, label, className = "text-block" }: Props) {
  const [expanded, setExpanded] = useState(false);
  if (text.length <= limit) return <pre className={className}>{text}</pre>;
  const size = formatBytes(new Blob([text]).size);
  return (
    <div className="folded">
      <pre className={className}>
        {expanded ? text : text.slice(0, limit)}
        {expanded ? null : <span className="fold-ellipsis">… ({size} in total)</span>}
      </pre>
      <button
        type="button"
        className="link-button"
        aria-expanded={expanded}
        aria-label={expanded ? `Show less of ${label}` : `Show all of ${label} (${size})`}
        onClick={() => setExpanded((x) => !x)}
      >
        {expanded ? "Show less" : `Show all (${size})`}
      </button>
    </div>
  );
}
