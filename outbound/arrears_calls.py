"""What campaign calls do to the arrears procedure: a reminder answered records the
reminder (催交); a disconnection notice confirmed is the notice delivered, naming the cut
time it spoke; a re-notice confirmed is the re-notice given. The cut time a notice speaks
is the sequence's own when it has one, else `proposed_cut` from the call's start."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.core.audit import Editor
from callcenter.core.errors import CallcenterError
from outbound.arrears_service import StepName
from outbound.models import ArrearsSequence, AttemptResult, CampaignType

log = logging.getLogger(__name__)
T, R = CampaignType, AttemptResult
CAMPAIGN = Editor("campaign")
CUT_DAYS_AHEAD = 4  # a local day 4 days on: always 3-7 days ahead (the notice lead)
CUT_TIME = time(10)
STEPS: dict[CampaignType, tuple[frozenset[AttemptResult], StepName]] = {
    T.ARREARS_REMINDER: (frozenset({R.CONFIRMED, R.ANSWERED}), StepName.REMINDED),
    T.DISCONNECTION_NOTICE: (frozenset({R.CONFIRMED}), StepName.NOTICE_DELIVERED),
    T.RE_NOTICE: (frozenset({R.CONFIRMED}), StepName.RE_NOTIFIED),
}


def proposed_cut(started_at: datetime, timezone: str) -> datetime:
    """The cut time a disconnection notice names when the sequence has none yet: 10:00
    local, 4 days after the call's local date (between 3 and 7 days ahead)."""
    zone = ZoneInfo(timezone)
    day = started_at.astimezone(zone).date() + timedelta(days=CUT_DAYS_AHEAD)
    return datetime.combine(day, CUT_TIME, tzinfo=zone)


def notice_cut(sequence: ArrearsSequence | None, started_at: datetime, timezone: str) -> datetime:
    """The cut time a disconnection notice speaks and, once confirmed, records."""
    if sequence is not None and sequence.cut_at is not None:
        return sequence.cut_at
    return proposed_cut(started_at, timezone)


class ArrearsSteps(Protocol):
    """Takes a step of an account's procedure (`outbound.arrears_service.ArrearsService`)."""

    async def step(
        self,
        account_id: int,
        step: StepName,
        editor: Editor,
        *,
        cut_at: datetime | None = None,
        note: str = "",
    ) -> ArrearsSequence: ...


async def record_call_step(
    steps: ArrearsSteps,
    campaign_type: CampaignType,
    account_id: int,
    result: AttemptResult,
    cut_at: datetime | None,
    note: str,
) -> StepName | None:
    """The step a campaign call's `result` takes on the account's procedure, if any; a
    step the procedure refuses (out of order, blocked) is logged, never raised."""
    rule = STEPS.get(campaign_type)
    if rule is None or result not in rule[0]:
        return None
    step = rule[1]
    given = cut_at if step is StepName.NOTICE_DELIVERED else None
    try:
        await steps.step(account_id, step, CAMPAIGN, cut_at=given, note=note)
    except CallcenterError as err:
        log.warning("account %d: %s by %s not recorded: %s", account_id, step, note, err)
        return None
    return step
