import { formatAmount } from "../format";
import type { Impact } from "../gen";
import { FoldedText } from "./FoldedText";

export function RiskBadge({ risk }: { risk: Impact["risk"] }) {
  return <span className={`badge risk risk-${risk}`}>Risk: {risk}</span>;
}

export function ImpactView({ impact }: { impact: Impact }) {
  return (
    <div className="impact">
      <RiskBadge risk={impact.risk} />
      {impact.amount ? <span className="amount">Amount: {formatAmount(impact.amount)}</span> : null}
      <span className={impact.reversible ? "reversible" : "irreversible"}>
        {impact.reversible ? "Reversible" : "Not reversible"}
      </span>
      {impact.summary ? <FoldedText text={impact.summary} label="impact summary" /> : null}
    </div>
  );
}
