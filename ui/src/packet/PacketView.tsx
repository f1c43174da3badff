import { backend } from "../backend";
import { DecisionPanel } from "../decide/DecisionPanel";
import { capitalize, formatDate } from "../format";
import { Countdown } from "../queue/Countdown";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useAsync } from "../shell/useAsync";
import { useEngineEvent } from "../shell/useEngineEvent";
import { ArgsView } from "./ArgsView";
import { ContextList } from "./ContextList";
import { DecisionHistory } from "./DecisionHistory";
import { FoldedText } from "./FoldedText";
import { ImpactView } from "./ImpactView";
import { Markdown } from "./Markdown";

/** Everything a reviewer needs to judge one packet, and the controls to decide it. */
export function PacketView({ id }: { id: number }) {
  const { data: view, error, reload } = useAsync(() => backend.packetGet(id), [id]);

  useEngineEvent((e) => {
    if (
      (e.type === "queue_changed" && e.packet_ids.includes(id)) ||
      (e.type === "decision_state" && e.packet_id === id)
    ) {
      reload();
    }
  });

  if (!view) {
    return error ? (
      <ErrorMessage error={error} context="Could not load the packet" />
    ) : (
      <p className="placeholder">Loading packet…</p>
    );
  }
  const { packet } = view;
  return (
    <article className="packet" aria-labelledby={`packet-${id}-title`}>
      <header className="packet-header">
        <h2 id={`packet-${id}-title`} className="packet-title">
          <FoldedText
            text={packet.action.name}
            limit={200}
            label="action name"
            className="action-name"
          />
        </h2>
        <p className="packet-meta">
          <span className={`badge urgency urgency-${packet.urgency}`}>{packet.urgency}</span>{" "}
          <span className={`status status-${packet.status}`}>{capitalize(packet.status)}</span> ·
          Agent {packet.agent.name.slice(0, 200)} · {view.endpoint_name} · Received{" "}
          {formatDate(view.received_at)}
        </p>
      </header>
      <ErrorMessage error={error} context="Could not refresh the packet" />

      <section aria-labelledby={`p${id}-deadline`}>
        <h3 id={`p${id}-deadline`}>Deadline</h3>
        <p>
          {packet.deadline ? (
            <>
              {formatDate(packet.deadline)} (<Countdown deadline={packet.deadline} />
              ). At expiry: {packet.timeout_policy.on_expiry.replace("_", " ")}.
            </>
          ) : (
            "No deadline."
          )}
        </p>
      </section>

      <section aria-labelledby={`p${id}-impact`}>
        <h3 id={`p${id}-impact`}>Impact</h3>
        <ImpactView impact={packet.impact} />
      </section>

      <section aria-labelledby={`p${id}-args`}>
        <h3 id={`p${id}-args`}>Arguments</h3>
        <ArgsView args={packet.action.args} />
      </section>

      <DecisionPanel view={view} onDecided={reload} />

      <section aria-labelledby={`p${id}-reasoning`}>
        <h3 id={`p${id}-reasoning`}>Reasoning</h3>
        {packet.reasoning ? (
          <Markdown source={packet.reasoning} label="reasoning" />
        ) : (
          <p className="hint">No reasoning given.</p>
        )}
      </section>

      <section aria-labelledby={`p${id}-context`}>
        <h3 id={`p${id}-context`}>Context</h3>
        <ContextList items={packet.context ?? []} />
      </section>

      <section aria-labelledby={`p${id}-history`}>
        <h3 id={`p${id}-history`}>History</h3>
        <DecisionHistory decisions={view.decisions} />
      </section>
    </article>
  );
}
