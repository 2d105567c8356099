"""The `outage-callers` target query (restoration notices) and what the outage-event
policies read and record.

`outage-callers:ID` finds everyone who asked the IVR to be told when the power is back
(the call event `note_added` with `{"kind": "notify_on_restore", "account_no": …}`) since
the outage began, for accounts on its feeders and service points: called back on the number
they called from (or the account's preferred one when that was withheld).
`outage-callers:ID+notified` adds every target its outage-notice and etr-update campaigns
reached (answered or confirmed), on the number reached. One target per account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, literal, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.audit import AuditEntry, Editor
from callcenter.core.errors import InvalidInputError
from callcenter.outages.models import NoSuchOutageError
from callcenter.storage.audit import write_audit
from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets, campaigns
from callcenter.storage.tables import (
    accounts,
    call_events,
    calls,
    outage_feeders,
    outage_service_points,
    outages,
    service_points,
)
from callcenter.storage.target_queries import Plan, contacts
from outbound.models import CampaignType, TargetQuery, TargetQueryKind

NOTIFIED = "+notified"
REACHED = ("answered", "confirmed")
NOTICES = (CampaignType.OUTAGE_NOTICE.value, CampaignType.ETR_UPDATE.value)
POLICY_EDITOR = Editor("outage-policy")
ENTITY = "outage-policy"  # audit entries of what the policies did, by outage id


def parse(query: TargetQuery) -> tuple[int, bool]:
    """The outage id and whether the notified are included."""
    value = query.value.strip()
    notified = value.endswith(NOTIFIED)
    digits = value.removesuffix(NOTIFIED) if notified else value
    if not digits.isdigit() or len(digits) > 18:
        raise InvalidInputError(
            f"target {query.kind}:{query.value} needs an outage id (ID or ID{NOTIFIED})",
            code="invalid-target-query",
        )
    return int(digits), notified


def _points(outage_id: int) -> Any:
    on_feeders = select(service_points.c.id).join(
        outage_feeders, outage_feeders.c.feeder == service_points.c.feeder
    )
    return union(
        on_feeders.where(outage_feeders.c.outage_id == outage_id),
        select(outage_service_points.c.service_point_id).where(
            outage_service_points.c.outage_id == outage_id
        ),
    )


def _callers(outage_id: int, since: datetime) -> Select[Any]:
    """Accounts of the outage someone asked about, with the number they called from."""
    e = call_events
    own_number = case((calls.c.from_number.like("+%"), calls.c.from_number), else_=None)
    return (
        select(
            accounts.c.id.label("account_id"),
            own_number.label("phone"),
            literal(0).label("source"),
            e.c.at.label("at"),
        )
        .select_from(e.join(calls, calls.c.id == e.c.call_id))
        .join(accounts, accounts.c.account_no == e.c.data["account_no"].as_string())
        .where(
            e.c.type == "note_added",
            e.c.data["kind"].as_string() == "notify_on_restore",
            e.c.at >= since,
            accounts.c.service_point_id.in_(_points(outage_id)),
        )
    )


def _notified(outage_id: int) -> Select[Any]:
    """Targets the outage's notices reached, with the number reached."""
    t, a, c = campaign_targets, campaign_attempts, campaigns
    return (
        select(
            t.c.account_id,
            t.c.phone,
            literal(1).label("source"),
            a.c.updated_at.label("at"),
        )
        .select_from(t.join(c, c.c.id == t.c.campaign_id).join(a, a.c.target_id == t.c.id))
        .where(
            c.c.type.in_(NOTICES),
            c.c.query_kind == TargetQueryKind.OUTAGE.value,
            c.c.query_value == str(outage_id),
            a.c.result.in_(REACHED),
        )
    )


async def outage_callers_plan(conn: AsyncConnection, query: TargetQuery) -> Plan:
    """The plan of an `outage-callers` query (see the module's note)."""
    outage_id, notified = parse(query)
    row = (await conn.execute(select(outages).where(outages.c.id == outage_id))).one_or_none()
    if row is None:
        raise NoSuchOutageError(f"no outage with id {outage_id}")
    parts = [_callers(outage_id, row.start_at)]
    parts += [_notified(outage_id)] if notified else []
    asked = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    order = (asked.c.source, asked.c.at.desc())
    rank = func.row_number().over(partition_by=asked.c.account_id, order_by=order)
    ranked = select(asked.c.account_id, asked.c.phone, rank.label("rank")).subquery()
    chosen = select(ranked.c.account_id, ranked.c.phone).where(ranked.c.rank == 1).subquery()
    found = contacts(chosen.c.phone.label("asked_phone")).join(
        chosen, chosen.c.account_id == accounts.c.id
    )
    inner = found.subquery()
    phone = func.coalesce(inner.c.asked_phone, inner.c.phone)
    columns = [c for c in inner.c if c.name not in ("phone", "asked_phone")]
    rows = select(*columns, phone.label("phone")).where(phone.is_not(None))
    return Plan(rows.order_by(inner.c.account_id), _values(outage_id, row))


def _values(outage_id: int, row: Any) -> dict[str, str]:
    def iso(at: datetime | None) -> str:
        return "" if at is None else at.isoformat()

    return {
        "outage_id": str(outage_id),
        "outage_kind": row.kind,
        "outage_area": row.area,
        "outage_cause": row.cause,
        "outage_start": iso(row.start_at),
        "outage_restore": iso(row.estimated_restoration_at),
        "restored_at": iso(row.restored_at),
    }


class SqlOutagePolicyRecords:
    """What the outage-event policies read (campaigns an outage has) and record (what they
    did or were refused: audit entries of entity `outage-policy`, id the outage's)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def campaign_of(
        self, outage_id: int, kind: CampaignType, query: TargetQueryKind
    ) -> int | None:
        """The first campaign of type `kind` whose `query` targets the outage, if any."""
        values = [str(outage_id), f"{outage_id}{NOTIFIED}"]
        found = (
            select(campaigns.c.id)
            .where(
                campaigns.c.type == kind.value,
                campaigns.c.query_kind == query.value,
                campaigns.c.query_value.in_(values),
            )
            .order_by(campaigns.c.id)
            .limit(1)
        )
        async with reader(self._engine).connect() as conn:
            campaign_id = (await conn.execute(found)).scalar_one_or_none()
        return None if campaign_id is None else int(campaign_id)

    async def note(self, outage_id: int, action: str, data: dict[str, Any], at: datetime) -> None:
        """An audit entry for the outage by the policy (`notice-refused`, `campaign-started`…)."""
        entry = AuditEntry(at, POLICY_EDITOR, ENTITY, str(outage_id), action, data)
        async with self._engine.begin() as conn:
            await write_audit(conn, entry)
