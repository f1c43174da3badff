import { useState, type FormEvent } from "react";
import { capitalize } from "../format";
import type { AuditFilter, EndpointView, Outcome } from "../gen";

const OUTCOMES: Outcome[] = ["approve", "edit", "reject", "respond", "escalate", "ignore"];

interface Draft {
  from: string;
  to: string;
  endpoint: string;
  agent: string;
  action: string;
  reviewer: string;
  outcome: string;
}

const EMPTY: Draft = {
  from: "",
  to: "",
  endpoint: "",
  agent: "",
  action: "",
  reviewer: "",
  outcome: "",
};

/** A `datetime-local` value is the reviewer's local time; the filter wants a UTC instant. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Only the fields that narrow the selection; trimmed, so a stray space matches nothing less. */
export function toFilter(d: Draft): AuditFilter {
  const f: AuditFilter = {};
  const from = localInputToIso(d.from);
  const to = localInputToIso(d.to);
  if (from) f.from = from;
  if (to) f.to = to;
  for (const k of ["endpoint", "agent", "action", "reviewer"] as const) {
    const v = d[k].trim();
    if (v) f[k] = v;
  }
  if (d.outcome) f.outcome = d.outcome as Outcome;
  return f;
}

interface Props {
  endpoints: EndpointView[];
  onApply: (f: AuditFilter) => void;
}

/** The selection of an export: applied on submit so a half-typed filter never runs. */
export function AuditFilters({ endpoints, onApply }: Props) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(toFilter(draft));
  };
  const badRange =
    draft.from &&
    draft.to &&
    (localInputToIso(draft.from) ?? "") >= (localInputToIso(draft.to) ?? "");
  return (
    <form className="audit-filters" aria-label="Audit filters" onSubmit={submit}>
      <label className="filter">
        <span>Decided from</span>
        <input type="datetime-local" value={draft.from} onChange={set("from")} />
      </label>
      <label className="filter">
        <span>Decided before</span>
        <input type="datetime-local" value={draft.to} onChange={set("to")} />
      </label>
      <label className="filter">
        <span>Endpoint</span>
        <select value={draft.endpoint} onChange={set("endpoint")}>
          <option value="">Any</option>
          {endpoints.map((ep) => (
            <option key={ep.id} value={ep.id}>
              {ep.name}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Agent</span>
        <input type="text" value={draft.agent} onChange={set("agent")} />
      </label>
      <label className="filter">
        <span>Action</span>
        <input type="text" value={draft.action} onChange={set("action")} />
      </label>
      <label className="filter">
        <span>Reviewer</span>
        <input
          type="text"
          value={draft.reviewer}
          onChange={set("reviewer")}
          placeholder="Printed name or id"
        />
      </label>
      <label className="filter">
        <span>Outcome</span>
        <select value={draft.outcome} onChange={set("outcome")}>
          <option value="">Any</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {capitalize(o)}
            </option>
          ))}
        </select>
      </label>
      <div className="audit-filter-actions">
        <button type="submit" disabled={Boolean(badRange)}>
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(EMPTY);
            onApply({});
          }}
        >
          Clear
        </button>
        {badRange ? (
          <span role="alert" className="error">
            “Decided from” must be before “Decided before”.
          </span>
        ) : null}
      </div>
    </form>
  );
}
