"""An answered campaign call's result from what its message flow recorded: the session
variable `outcome` (see the README, "Outbound message flows") decides between confirmed,
opted out, a machine and a plain answer; a call that never connected keeps its status."""

from __future__ import annotations

from outbound.models import AttemptResult

R = AttemptResult
FROM_FLOW = {
    "confirmed": R.CONFIRMED,  # key 1: delivery evidence
    "opted_out": R.OPTED_OUT,  # key 9: do-not-call, every campaign
    "machine": R.MACHINE,  # the neutral message only; nobody pressed 1
    "abandoned": R.ABANDONED,  # no agent free for a predictive call: identification only
}


def call_result(status: AttemptResult, outcome: str | None) -> AttemptResult:
    """The attempt's result: `status` from the provider (answered, busy, no answer…) and
    the flow's `outcome` when the call was answered (`heard`, `answered`, `agent`,
    `identity_failed` or none are a plain answer by a person)."""
    if status is not R.ANSWERED:
        return status
    return FROM_FLOW.get(outcome or "", R.ANSWERED)
