import { formatCountdown } from "../format";
import { useNow } from "../shell/useNow";

/** SLA countdown to a deadline; turns "soon" under 15 minutes and "overdue" past it. */
export function Countdown({ deadline }: { deadline: string | null | undefined }) {
  const now = useNow();
  if (!deadline) return <span className="countdown none">No deadline</span>;
  const ms = Date.parse(deadline);
  if (Number.isNaN(ms)) return <span className="countdown none">Invalid deadline</span>;
  const left = ms - now;
  const cls = left < 0 ? "overdue" : left < 15 * 60_000 ? "soon" : "ok";
  return (
    <time className={`countdown ${cls}`} dateTime={deadline} title={new Date(ms).toLocaleString()}>
      {formatCountdown(ms, now)}
    </time>
  );
}
