import { useId, useState, type FormEvent } from "react";
import { Dialog } from "../shell/Dialog";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { Outcome } from "../gen";
import type { BackendError } from "../backendError";

type TextOutcome = Extract<Outcome, "reject" | "respond" | "escalate" | "ignore">;

// What the text means for each outcome, and whether the protocol requires it.
const SPEC: Record<
  TextOutcome,
  { title: string; field: string; required: boolean; submit: string }
> = {
  reject: {
    title: "Reject",
    field: "Reason for rejecting",
    required: true,
    submit: "Reject and sign",
  },
  respond: {
    title: "Respond to the agent",
    field: "Response",
    required: true,
    submit: "Send response",
  },
  escalate: {
    title: "Escalate",
    field: "Note (optional)",
    required: false,
    submit: "Escalate and sign",
  },
  ignore: {
    title: "Dismiss",
    field: "Note (optional)",
    required: false,
    submit: "Dismiss and sign",
  },
};

/** The action name the LangGraph connector gives interrupts of no known shape. */
export const RAW_INTERRUPT_ACTION = "langgraph_interrupt";

interface Props {
  outcome: TextOutcome;
  action: string;
  /** Answering a LangGraph interrupt of unknown shape: the text is the raw resume value. */
  rawResume?: boolean;
  busy: boolean;
  error: BackendError | undefined;
  onSubmit: (text: string | undefined) => void;
  onClose: () => void;
}

/** What the raw-resume editor says about the text: JSON is sent as JSON, else as a string. */
function resumeHint(text: string): string {
  if (text.trim() === "") return "";
  try {
    JSON.parse(text);
    return "Valid JSON: resumes the graph with this value.";
  } catch {
    return "Not JSON: resumes the graph with this text as a string.";
  }
}

/** Reject / respond / escalate / dismiss: one text field, required where the protocol says. */
export function TextDecision({
  outcome,
  action,
  rawResume,
  busy,
  error,
  onSubmit,
  onClose,
}: Props) {
  const raw = rawResume === true && outcome === "respond";
  const spec = raw
    ? {
        title: "Answer with a raw resume value",
        field: "Resume value (JSON)",
        required: true,
        submit: "Sign and resume",
      }
    : SPEC[outcome];
  const id = useId();
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    const value = text.trim();
    if (spec.required && value === "") {
      setMissing(true);
      return;
    }
    onSubmit(value === "" ? undefined : value);
  };

  return (
    <Dialog title={`${spec.title}: ${action}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <label htmlFor={id}>
          {spec.field}
          {spec.required ? " (required)" : ""}
        </label>
        <textarea
          id={id}
          rows={raw ? 8 : 4}
          spellCheck={raw ? false : undefined}
          value={text}
          data-autofocus
          aria-required={spec.required}
          aria-invalid={missing ? true : undefined}
          aria-describedby={missing ? `${id}-missing` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value.trim() !== "") setMissing(false);
          }}
          onKeyDown={(e) => {
            // Plain Enter adds a line; Ctrl/Cmd+Enter submits, as in most editors.
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit();
          }}
        />
        {raw ? (
          <p className="hint" aria-live="polite">
            {resumeHint(text)}
          </p>
        ) : null}
        {missing ? (
          <p id={`${id}-missing`} role="alert" className="error-inline">
            {outcome === "reject" ? "A reason is required to reject." : "A response is required."}
          </p>
        ) : null}
        <ErrorMessage error={error} context="Could not sign the decision" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className={outcome === "reject" ? "danger" : "primary"}
            disabled={busy}
          >
            {busy ? "Signing…" : spec.submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export type { TextOutcome };
