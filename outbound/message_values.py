"""The values a campaign's message flow speaks, from a target's stored values: the names
the flows use (see each flow file's header) derived from the names the target queries
store, and the pack's figures a message quotes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from callcenter.core.policy import OutboundRules
from outbound.arrears_calls import notice_cut
from outbound.models import ArrearsSequence, CampaignType

T = CampaignType
CUT_TYPES = frozenset({T.DISCONNECTION_NOTICE, T.RE_NOTICE})


def message_values(
    campaign_type: CampaignType,
    values: Mapping[str, str],
    rules: OutboundRules,
    sequence: ArrearsSequence | None = None,
    timezone: str = "Asia/Shanghai",
    started_at: datetime | None = None,
) -> dict[str, str]:
    """The target's values with the flow's names added: `amount` (the bill's amount due),
    `outage_restore` (the estimated restoration), `previous_restore` (the estimate an ETR
    update replaces), `threshold` (the pack's low-balance threshold) and, for the
    disconnection notices, `cut_at` from the account's arrears sequence (a first notice:
    the cut time it proposes from the call's `started_at`). Times (stored in
    UTC) are given in `timezone`, the wall time callees live by."""
    zone = ZoneInfo(timezone)
    out = {key: _local(value, zone) for key, value in values.items()}
    aliases = {
        "amount": "amount_due",
        "outage_restore": "outage_etr",
        "previous_restore": "previous_etr",
    }
    for name, stored in aliases.items():
        if name not in out and stored in out:
            out[name] = out[stored]
    if campaign_type in (T.LOW_BALANCE, T.ZERO_BALANCE):
        out.setdefault("threshold", f"{rules.low_balance_threshold:.2f}")
    if campaign_type is T.DISCONNECTION_NOTICE and sequence is not None and started_at:
        cut = notice_cut(sequence, started_at, timezone)
        out.setdefault("cut_at", cut.astimezone(zone).isoformat())
    elif campaign_type in CUT_TYPES and sequence is not None and sequence.cut_at is not None:
        out.setdefault("cut_at", sequence.cut_at.astimezone(zone).isoformat())
    return out


def _local(value: str, zone: ZoneInfo) -> str:
    """An ISO date-time with its offset, moved to `zone`; any other value as it is."""
    if len(value) < 16 or "T" not in value:
        return value
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    return at.astimezone(zone).isoformat() if at.tzinfo is not None else value
