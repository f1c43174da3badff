import { useState } from "react";
import { backend } from "../backend";
import { capitalize } from "../format";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useShortcuts } from "../shell/Shortcuts";
import { useEngineEvent } from "../shell/useEngineEvent";
import type { DecideRequest, DecisionView, DeliveryState, Outcome, PacketView } from "../gen";
import type { BackendError } from "../backendError";
import { ApproveConfirm } from "./ApproveConfirm";
import { EditForm } from "./EditForm";
import { RAW_INTERRUPT_ACTION, TextDecision, type TextOutcome } from "./TextDecision";

// Canonical order and labels; only the ones the packet allows are rendered.
const OUTCOMES: { outcome: Outcome; label: string; key?: string }[] = [
  { outcome: "approve", label: "Approve", key: "a" },
  { outcome: "edit", label: "Edit and approve", key: "e" },
  { outcome: "reject", label: "Reject", key: "r" },
  { outcome: "respond", label: "Respond" },
  { outcome: "escalate", label: "Escalate" },
  { outcome: "ignore", label: "Dismiss" },
];

const DELIVERY: Record<DeliveryState, string> = {
  signed: "waiting to send",
  sent: "sent, waiting for the endpoint",
  acknowledged: "acknowledged by the endpoint",
  conflict: "conflict: another decision won",
  refused: "refused by the endpoint",
};

const CLOSED: Record<string, string> = {
  decided: "This packet has been decided; no further decision can be made.",
  expired: "This packet expired before a decision; it can no longer be decided.",
  withdrawn: "The agent withdrew this packet; there is nothing to decide.",
};

export function DecisionPanel({ view, onDecided }: { view: PacketView; onDecided: () => void }) {
  const { packet } = view;
  const [mode, setMode] = useState<Outcome>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError>();
  const [signed, setSigned] = useState<DecisionView>();

  // A decision of ours still on its way (or delivered) means there is nothing left to do.
  const previous = signed ?? view.decisions.find((d) => d.local && d.state !== "refused");
  const [liveState, setLiveState] = useState<Record<string, DeliveryState>>({});
  useEngineEvent((e) => {
    if (e.type === "decision_state" && e.packet_id === view.id) {
      setLiveState((s) => ({ ...s, [e.decision_id]: e.state }));
    }
  });

  const open = packet.status === "pending";
  const allowed = OUTCOMES.filter((o) => packet.allowed_outcomes.includes(o.outcome));
  const canDecide = open && !previous && !busy;

  const start = (outcome: Outcome) => {
    if (!canDecide || !packet.allowed_outcomes.includes(outcome)) return;
    setError(undefined);
    setMode(outcome);
  };
  useShortcuts({ a: () => start("approve"), e: () => start("edit"), r: () => start("reject") });

  const decide = (request: Omit<DecideRequest, "via">) => {
    setBusy(true);
    setError(undefined);
    backend
      .decide(view.id, { ...request, via: "window" })
      .then((d) => {
        // Only now is the decision durable: decide resolves after the local commit.
        setSigned(d);
        setMode(undefined);
        onDecided();
      })
      .catch((e: BackendError) => setError(e))
      .finally(() => setBusy(false));
  };

  const close = () => {
    if (!busy) setMode(undefined);
  };

  if (!open) {
    return (
      <section className="decision-panel" aria-label="Decision">
        <p className="closed">{CLOSED[packet.status] ?? `This packet is ${packet.status}.`}</p>
      </section>
    );
  }

  return (
    <section className="decision-panel" aria-label="Decision">
      {previous ? (
        <p role="status" className="signed">
          <strong>Signed and stored</strong>: {capitalize(previous.outcome)} —{" "}
          {DELIVERY[liveState[previous.decision_id] ?? previous.state]}.
        </p>
      ) : allowed.length === 0 ? (
        <p className="closed">The agent allowed no outcomes on this packet.</p>
      ) : (
        <div className="outcome-buttons" role="group" aria-label="Decide">
          {allowed.map((o) => (
            <button
              key={o.outcome}
              type="button"
              className={`outcome outcome-${o.outcome}`}
              onClick={() => start(o.outcome)}
              disabled={!canDecide}
              aria-keyshortcuts={o.key}
            >
              {o.label}
              {o.key ? <kbd aria-hidden="true">{o.key}</kbd> : null}
            </button>
          ))}
        </div>
      )}
      {!mode ? <ErrorMessage error={error} context="Could not sign the decision" /> : null}
      {mode === "approve" ? (
        <ApproveConfirm
          packet={packet}
          busy={busy}
          error={error}
          onConfirm={() => decide({ outcome: "approve" })}
          onClose={close}
        />
      ) : null}
      {mode === "edit" ? (
        <EditForm
          packet={packet}
          busy={busy}
          error={error}
          onSign={(args) => decide({ outcome: "edit", args })}
          onClose={close}
        />
      ) : null}
      {mode && mode !== "approve" && mode !== "edit" ? (
        <TextDecision
          outcome={mode as TextOutcome}
          action={packet.action.name}
          rawResume={packet.action.name === RAW_INTERRUPT_ACTION}
          busy={busy}
          error={error}
          onSubmit={(text) =>
            decide(
              mode === "respond"
                ? { outcome: mode, response: text }
                : { outcome: mode, ...(text ? { reason: text } : {}) },
            )
          }
          onClose={close}
        />
      ) : null}
    </section>
  );
}
