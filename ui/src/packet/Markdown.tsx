import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import { useMemo, useState, type MouseEvent } from "react";
import { FoldedText } from "./FoldedText";
import { LinkConfirm, isOpenableUrl } from "./LinkConfirm";

/** Beyond this, Markdown is not parsed (cost grows with size); the rest shows as text. */
export const MARKDOWN_LIMIT = 100_000;

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// Raw HTML in agent Markdown is shown as literal text (the reviewer sees what was
// attempted); images would fetch remote content, so they become inert text too.
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    image: ({ href, text }: Tokens.Image) => escapeHtml(`[image: ${text}] (${href})`),
  },
});

// Second line of defence after the renderer: an allow-list, with only http(s) hrefs kept.
const PURIFY: Parameters<typeof DOMPurify.sanitize>[1] = {
  // One tag a line would hide the list's shape (text tags, then headings and tables).
  // prettier-ignore
  ALLOWED_TAGS: [
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
  ],
  ALLOWED_ATTR: ["href", "title", "start"],
  ALLOWED_URI_REGEXP: /^https?:\/\//i,
  ALLOW_DATA_ATTR: false,
};

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return DOMPurify.sanitize(html, { ...PURIFY, RETURN_TRUSTED_TYPE: false }) as string;
}

interface Props {
  source: string;
  label: string;
}

/** Sanitized Markdown from an agent. Link clicks ask first, then go to the system browser. */
export function Markdown({ source, label }: Props) {
  const [link, setLink] = useState<string>();
  const head = source.length > MARKDOWN_LIMIT ? source.slice(0, MARKDOWN_LIMIT) : source;
  const html = useMemo(() => renderMarkdown(head), [head]);

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const a = (e.target as Element).closest("a");
    if (!a) return;
    // Never let the webview navigate: it would replace the app with agent content.
    e.preventDefault();
    const href = a.getAttribute("href");
    if (href && isOpenableUrl(href)) setLink(href);
  };

  return (
    <>
      <div
        className="markdown"
        onClick={onClick}
        onAuxClick={(e) => e.preventDefault()}
        // Safe: renderMarkdown escapes raw HTML and DOMPurify allow-lists the output.
        dangerouslySetInnerHTML={{ __html: html }}
      />
      {source.length > MARKDOWN_LIMIT ? (
        <div className="markdown-overflow">
          <p className="hint">
            Only the first {MARKDOWN_LIMIT.toLocaleString()} characters are formatted. Full text:
          </p>
          <FoldedText text={source} limit={0} label={label} />
        </div>
      ) : null}
      {link ? <LinkConfirm url={link} onClose={() => setLink(undefined)} /> : null}
    </>
  );
}
