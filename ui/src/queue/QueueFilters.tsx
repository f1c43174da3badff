import { useEffect, useRef, useState, type RefObject } from "react";
import { capitalize } from "../format";
import type { EndpointView, PacketStatus, QueueQuery, Risk, Urgency } from "../gen";

const STATUSES: PacketStatus[] = ["pending", "decided", "expired", "withdrawn"];
const RISKS: Risk[] = ["low", "medium", "high", "critical"];
const URGENCIES: Urgency[] = ["low", "normal", "high", "critical"];
const TEXT_DEBOUNCE_MS = 150;

interface Props {
  value: QueueQuery;
  onChange: (q: QueueQuery) => void;
  endpoints: EndpointView[];
  searchRef: RefObject<HTMLInputElement | null>;
}

/** Drops empty filters so the backend sees only the fields that narrow the result. */
export function cleanQuery(q: QueueQuery): QueueQuery {
  const out: QueueQuery = {};
  for (const [k, v] of Object.entries(q) as [keyof QueueQuery, unknown][]) {
    if (v !== undefined && v !== null && v !== "") (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** A text input that reports after a short pause, so typing does not query per keystroke. */
function TextFilter({
  label,
  value,
  onCommit,
  inputRef,
  type = "text",
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  inputRef?: RefObject<HTMLInputElement | null>;
  type?: string;
}) {
  const [text, setText] = useState(value);
  // The parent passes a fresh closure each render; a ref keeps the debounce timer stable.
  const commit = useRef(onCommit);
  useEffect(() => {
    commit.current = onCommit;
  });
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => commit.current(text), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, value]);
  return (
    <label className="filter">
      <span>{label}</span>
      <input
        ref={inputRef}
        type={type}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Escape leaves the field so j/k work again; Enter applies without waiting.
          if (e.key === "Escape") e.currentTarget.blur();
          if (e.key === "Enter") onCommit(text);
        }}
      />
    </label>
  );
}

function Select<T extends string>(props: {
  label: string;
  value: T | null | undefined;
  options: readonly T[];
  names?: Record<string, string>;
  anyLabel: string;
  onChange: (v: T | undefined) => void;
}) {
  return (
    <label className="filter">
      <span>{props.label}</span>
      <select
        value={props.value ?? ""}
        onChange={(e) => props.onChange((e.target.value || undefined) as T | undefined)}
      >
        <option value="">{props.anyLabel}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.names?.[o] ?? capitalize(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function QueueFilters({ value, onChange, endpoints, searchRef }: Props) {
  const set = (patch: QueueQuery) => onChange(cleanQuery({ ...value, ...patch }));
  const endpointNames = Object.fromEntries(endpoints.map((e) => [e.id, e.name]));
  return (
    <form
      className="queue-filters"
      role="search"
      aria-label="Filter the queue"
      onSubmit={(e) => e.preventDefault()}
    >
      <TextFilter
        label="Search"
        type="search"
        value={value.text ?? ""}
        onCommit={(text) => set({ text })}
        inputRef={searchRef}
      />
      <Select
        label="Status"
        value={value.status}
        options={STATUSES}
        anyLabel="Any status"
        onChange={(status) => set({ status })}
      />
      <Select
        label="Risk"
        value={value.risk}
        options={RISKS}
        anyLabel="Any risk"
        onChange={(risk) => set({ risk })}
      />
      <Select
        label="Urgency"
        value={value.urgency}
        options={URGENCIES}
        anyLabel="Any urgency"
        onChange={(urgency) => set({ urgency })}
      />
      <Select
        label="Endpoint"
        value={value.endpoint_id}
        options={endpoints.map((e) => e.id)}
        names={endpointNames}
        anyLabel="All endpoints"
        onChange={(endpoint_id) => set({ endpoint_id })}
      />
      <TextFilter label="Agent" value={value.agent ?? ""} onCommit={(agent) => set({ agent })} />
      <TextFilter
        label="Action"
        value={value.action ?? ""}
        onCommit={(action) => set({ action })}
      />
    </form>
  );
}
