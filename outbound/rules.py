"""Campaign creation rules: an outage notice must go out early enough before the outage."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.core.errors import ConflictError, InvalidInputError
from callcenter.core.policy import OutboundRules
from outbound.models import CampaignType


class OutageKind(StrEnum):
    """What kind of outage a notice campaign announces."""

    PLANNED = "planned"  # scheduled works: notice at least 7 days ahead (cn)
    TEMPORARY = "temporary"  # temporary maintenance: important users at least 24 h ahead (cn)
    FAULT = "fault"  # unplanned: no lead time, tell people as soon as possible


class NoticeTooLateError(ConflictError):
    """An outage notice campaign created later than the pack's lead time allows."""

    default_code = "notice-too-late"


class OutageStartMissingError(InvalidInputError):
    """A planned or temporary outage notice without the outage's start time."""

    default_code = "outage-start-missing"


def creation_refusal(
    campaign_type: CampaignType,
    outage_start: datetime | None,
    kind: OutageKind,
    now: datetime,
    rules: OutboundRules,
    *,
    important_users: bool = True,
) -> str | None:
    """Why a campaign may not be created now, naming the rule, or None when it may.

    Only outage notices have a lead time: planned ones `rules.planned_notice_lead`, temporary
    maintenance `rules.temporary_notice_lead` when the targets include important users (the
    rule is theirs; pass `important_users=False` for a campaign without any). Fault notices
    and every other type pass. A planned or temporary notice without `outage_start` is
    refused (nothing to measure the lead against)."""
    lead = _required_lead(campaign_type, kind, rules, important_users)
    if lead is None:
        return None
    if outage_start is None:
        return f"a {kind} outage notice needs the outage's start time"
    if outage_start - now >= lead:
        return None
    rule = "planned-outage notice" if kind is OutageKind.PLANNED else "temporary-maintenance"
    return (
        f"rule {rule} lead: notice at least {_span(lead)} before the outage; "
        f"it starts in {_span(max(outage_start - now, timedelta(0)))}"
    )


def require_creation_allowed(
    campaign_type: CampaignType,
    outage_start: datetime | None,
    kind: OutageKind,
    now: datetime,
    rules: OutboundRules,
    *,
    important_users: bool = True,
) -> None:
    """`creation_refusal` as an error for the API: `outage-start-missing` (400) or
    `notice-too-late` (409)."""
    refusal = creation_refusal(
        campaign_type, outage_start, kind, now, rules, important_users=important_users
    )
    if refusal is None:
        return
    if outage_start is None:
        raise OutageStartMissingError(refusal)
    raise NoticeTooLateError(refusal)


def _required_lead(
    campaign_type: CampaignType, kind: OutageKind, rules: OutboundRules, important_users: bool
) -> timedelta | None:
    if campaign_type is not CampaignType.OUTAGE_NOTICE:
        return None
    if kind is OutageKind.PLANNED:
        return rules.planned_notice_lead
    if kind is OutageKind.TEMPORARY and important_users:
        return rules.temporary_notice_lead
    return None


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds()) // 3600
    days, hours = divmod(hours, 24)
    minutes = int(delta.total_seconds()) % 3600 // 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min"
