"""An ordinary HumanLayer agent: one tool gated with @hl.require_approval().

Run with only HUMANLAYER_API_BASE and HUMANLAYER_API_KEY set. argv[1] is the run id (so a
test can find its packet). Prints `RAN ...` if the tool ran and `RESULT: ...` at the end.
"""

import sys

from humanlayer import HumanLayer, ResponseOption

hl = HumanLayer(run_id=sys.argv[1])


@hl.require_approval(
    reject_options=[ResponseOption(name="too_much", title="Amount too high")],
)
def issue_refund(order: str, amount: int) -> str:
    """Refund an order."""
    print(f"RAN issue_refund {order} {amount}", flush=True)
    return f"refunded {amount} on {order}"


print(f"RESULT: {issue_refund(order='A-1', amount=40)}", flush=True)
