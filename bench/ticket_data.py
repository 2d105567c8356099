"""Synthetic work orders for benchmarks: `load_tickets(engine, total, open_share, now, seed)`.

Tickets of every 95598 type and sub-type from the pack, in the demo's districts, created over
the two years before `now`; `open_share` of them still open (in every open status, created
recently enough that most are within their deadline, some overdue), the rest closed or
cancelled. Open tickets carry `due_at`, `sla_state` and `sla_next_at` as the SLA sweep would
have left them. Summaries are in Chinese or English from a varied vocabulary, with a meter
number; each ticket has its `created` event and one to three comments (`ticket_events.text`).

PostgreSQL loads with COPY (a large load sets the two tables' secondary indexes aside and
builds them at the end); other databases with multi-row INSERTs. Rows go through the
project's table definitions, not the API.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, DropIndex

from callcenter.core.ticket_rules import CN_TICKET_RULES, TicketKey
from callcenter.storage.demo_data import DISTRICTS, ROADS, SURNAMES, VILLAGES
from callcenter.storage.tables import ticket_events, tickets
from callcenter.storage.tickets import ticket_number

Progress = Callable[[int], None]
BATCH = 20_000
BULK_THRESHOLD = 100_000  # from this many tickets, PostgreSQL builds the indexes after the load
TWO_YEARS = timedelta(days=730)

# Rough limits per type (hours on the clock; working days count about 1.4 calendar days)
LIMIT_HOURS = {
    "fault_repair": 4, "consultation": 34, "service_request": 168, "complaint": 134,
    "report": 302, "opinion": 302, "suggestion": 302, "praise": 302,
}  # fmt: skip
NO_DEADLINE = {"praise"}  # its limit only spreads the times: no due date, no SLA
TYPE_WEIGHTS = {
    "fault_repair": 45, "consultation": 25, "service_request": 12, "complaint": 8,
    "report": 3, "opinion": 3, "suggestion": 2, "praise": 2,
}  # fmt: skip
OPEN_STATUSES = (
    ("open", 20), ("accepted", 25), ("dispatched", 15), ("in_progress", 20),
    ("awaiting_customer", 5), ("resolved", 5), ("awaiting_callback", 5), ("reopened", 5),
)  # fmt: skip
STOPPED = {"resolved", "awaiting_callback"}  # the clock has stopped: no next SLA look
LEVELS = ((0.7, "ok"), (0.8, "warn70"), (0.9, "warn80"), (1.0, "warn90"))
TEAMS = ("抢修一班", "抢修二班", "营业班", "计量班", "客户服务中心", "运维班")
CLASSES = (("residential", 90), ("non_residential", 8), ("important", 2))
CHANNELS = ("ivr", "desk", "desk", "api")  # where the ticket was opened (TicketChannel)

ZH_ISSUES = (
    "家中停电", "电压偏低", "电能表烧坏", "线路冒火花", "电线断落", "路灯不亮", "电费异常",
    "申请复电", "家电损坏", "抄表数据异常", "表箱门损坏", "频繁跳闸", "变压器异响",
    "施工影响用电", "窃电举报", "服务态度差", "营业厅排队", "电价咨询", "账单查询",
    "停电通知", "光伏并网", "充电桩报装", "增容申请", "过户手续", "发票问题",
)  # fmt: skip
ZH_DETAILS = (
    "客户要求尽快处理", "已多次来电", "邻居家也停电", "老人独居", "有冷藏药品",
    "雨后出现", "夜间发生", "影响营业", "客户情绪激动", "需要上门查看", "已联系供电所",
    "客户同意等待", "预约明天上午", "疑似外力破坏", "小区整体停电",
)  # fmt: skip
EN_ISSUES = (
    "no power at home", "low voltage", "burnt meter", "sparks from the line", "wire down",
    "street light out", "unusual bill", "reconnection request", "damaged appliance",
    "meter reading anomaly", "broken meter box", "breaker keeps tripping", "noisy transformer",
    "construction cut the supply", "electricity theft report", "rude staff",
    "long queue at the counter", "tariff question", "bill enquiry", "outage notice",
    "solar connection", "charger installation", "capacity increase", "account transfer",
    "invoice problem",
)  # fmt: skip
EN_DETAILS = (
    "customer asks for haste", "called several times", "neighbours affected too",
    "elderly person alone", "medicine in the fridge", "after the rain", "happened overnight",
    "shop cannot open", "customer upset", "needs a site visit", "substation informed",
    "customer will wait", "visit booked tomorrow morning", "possible third-party damage",
    "whole estate dark",
)  # fmt: skip
ZH_COMMENTS = (
    "已派单至{team}", "抢修人员已出发", "已到达现场，正在排查", "更换熔断器后恢复供电",
    "已电话回复客户", "客户不在家，改约时间", "已核实电费，属正常", "需要停电检修，已告知客户",
    "转{team}处理", "客户补充：{detail}",
)  # fmt: skip
EN_COMMENTS = (
    "dispatched to {team}", "crew on the way", "on site, checking the line",
    "fuse replaced, supply restored", "called the customer back", "nobody home, rebooked",
    "bill checked, it is correct", "planned work needed, customer told",
    "handed to {team}", "customer adds: {detail}",
)  # fmt: skip


def _weighted(rows: tuple[tuple[str, int], ...] | dict[str, int]) -> list[str]:
    pairs = rows.items() if isinstance(rows, dict) else rows
    return [name for name, weight in pairs for _ in range(weight)]


TYPES = _weighted(TYPE_WEIGHTS)
OPEN_BAG = _weighted(OPEN_STATUSES)
CLASS_BAG = _weighted(CLASSES)
SUBTYPES: dict[str, list[str | None]] = {
    k.term.code: [s.code for s in k.subtypes] or [None] for k in CN_TICKET_RULES.kinds
}


@dataclass(slots=True)
class Batch:
    """Rows of one COPY, in the tables' column order."""

    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to make: how many, from which ids, around which moment."""

    total: int
    open_share: float
    now: datetime
    seed: int
    first_ticket: int
    first_event: int


def summary(rng: random.Random, district: str) -> str:
    """A ticket summary in Chinese (two in three) or English, with a meter number."""
    meter = f"{rng.randrange(10**8):08d}"
    if rng.random() < 2 / 3:
        place = f"{district}{rng.choice(ROADS + VILLAGES)}{rng.randrange(1, 999)}号"
        return f"{place}{rng.choice(ZH_ISSUES)}，{rng.choice(ZH_DETAILS)}，表号{meter}"
    road = rng.choice(ROADS)
    return (
        f"{rng.choice(EN_ISSUES)} at {rng.randrange(1, 999)} {road}, {district}; "
        f"{rng.choice(EN_DETAILS)}; {rng.choice(SURNAMES)} family; meter {meter}"
    )


def comment(rng: random.Random) -> str:
    """A comment as the desk or the field crew would write it."""
    if rng.random() < 2 / 3:
        return rng.choice(ZH_COMMENTS).format(team=rng.choice(TEAMS), detail=rng.choice(ZH_DETAILS))
    return rng.choice(EN_COMMENTS).format(team=rng.choice(TEAMS), detail=rng.choice(EN_DETAILS))


def _sla(created: datetime, limit: timedelta, now: datetime) -> tuple[str, datetime | None]:
    """The SLA level an open ticket has reached and when its next level is due."""
    for share, state in LEVELS:
        if now < created + limit * share:
            return state, created + limit * share
    return "breached", None


@dataclass(frozen=True, slots=True)
class Birth:
    """When a ticket was opened, its type, and whether it is still open."""

    created_at: datetime
    type: str
    open: bool


def births(rng: random.Random, plan: Plan) -> list[Birth]:
    """Every ticket's opening, in time order (ids grow with time, as they do in service):
    open ones within about their deadline (one in eight overdue), the others over two years."""
    made = []
    for _ in range(plan.total):
        type_ = rng.choice(TYPES)
        limit = timedelta(hours=LIMIT_HOURS[type_])
        if rng.random() < plan.open_share:
            made.append(Birth(plan.now - limit * rng.uniform(0, 1.15), type_, True))
        else:
            made.append(Birth(plan.now - TWO_YEARS * rng.random() - limit * 1.5, type_, False))
    made.sort(key=lambda birth: birth.created_at)
    return made


def _life(rng: random.Random, plan: Plan, birth: Birth) -> dict[str, Any]:
    """Status, times and SLA columns of one ticket."""
    limit = timedelta(hours=LIMIT_HOURS[birth.type])
    created = birth.created_at
    due = None if birth.type in NO_DEADLINE else created + limit
    if birth.open:
        status = rng.choice(OPEN_BAG)
        state, next_at = _sla(created, limit, plan.now) if due else ("ok", None)
        return {
            "status": status, "created_at": created, "due_at": due, "closed_at": None,
            "sla_state": state, "sla_next_at": None if status in STOPPED else next_at,
        }  # fmt: skip
    took = limit * rng.uniform(0.1, 1.2)
    return {
        "status": "cancelled" if rng.random() < 0.04 else "closed",
        "created_at": created, "due_at": due, "closed_at": created + took,
        "sla_state": "breached" if due and took > limit else "ok", "sla_next_at": None,
    }  # fmt: skip


def _ticket(rng: random.Random, plan: Plan, ticket_id: int, birth: Birth) -> dict[str, Any]:
    type_ = birth.type
    district, area_class, _ = rng.choice(DISTRICTS)
    life = _life(rng, plan, birth)
    closed = life["closed_at"] is not None
    subtype = rng.choice(SUBTYPES[type_])
    steps = CN_TICKET_RULES.deadlines_for(TicketKey(type_, subtype, area=area_class))
    return {
        "id": ticket_id, "number": ticket_number(ticket_id, life["created_at"]),
        "type": type_, "subtype": subtype,
        "sla_step": steps[0].milestone if steps and not closed else None,
        "priority": 1 if rng.random() < 0.05 else 0,
        "customer_id": None, "account_id": None, "service_point_id": None,
        "summary": summary(rng, district), "created_by": rng.choice(("ivr", "desk", "api")),
        "channel": rng.choice(CHANNELS), "area": district,
        "assignee_user_id": None, "assignee_team": rng.choice(TEAMS),
        "resolution": "已处理完毕" if closed else None,
        "milestone": None, "updated_at": life["closed_at"] or life["created_at"],
        "area_class": area_class, "customer_class": rng.choice(CLASS_BAG),
        "escalation_level": 1 if life["sla_state"] == "breached" and not closed else 0,
        "urge_count": 1 if rng.random() < 0.03 else 0,
        **life,
    }  # fmt: skip


def _events(rng: random.Random, ticket: dict[str, Any], next_id: int) -> list[dict[str, Any]]:
    """The `created` event and one to three comments."""
    at = ticket["created_at"]
    rows = [
        {
            "id": next_id, "ticket_id": ticket["id"], "at": at, "type": "created",
            "actor": ticket["created_by"], "data": {"type": ticket["type"]},
            "actor_role": None, "actor_user_id": None, "text": None,
        }
    ]  # fmt: skip
    end = ticket["closed_at"] or at + timedelta(hours=LIMIT_HOURS[ticket["type"]])
    for n in range(rng.choice((1, 2, 2, 3))):
        note = comment(rng)
        rows.append(
            {
                "id": next_id + n + 1, "ticket_id": ticket["id"],
                "at": at + (end - at) * rng.random(), "type": "comment", "actor": "agent",
                "data": {"text": note}, "actor_role": "agent", "actor_user_id": None,
                "text": note,
            }
        )  # fmt: skip
    return rows


def _row(table: Table, values: dict[str, Any], postgres: bool) -> tuple[Any, ...]:
    row = tuple(values[c.name] for c in table.columns)
    if postgres and table is ticket_events:  # asyncpg's COPY takes JSON as text
        index = [c.name for c in table.columns].index("data")
        row = (*row[:index], json.dumps(row[index], ensure_ascii=False), *row[index + 1 :])
    return row


def generate(plan: Plan, postgres: bool) -> Iterator[Batch]:
    """Batches of rows, reproducible from the plan's seed."""
    rng = random.Random(plan.seed)
    event_id = plan.first_event
    batch = Batch()
    for ticket_id, birth in enumerate(births(rng, plan), start=plan.first_ticket):
        ticket = _ticket(rng, plan, ticket_id, birth)
        batch.tickets.append(_row(tickets, ticket, postgres))
        for event in _events(rng, ticket, event_id):
            batch.events.append(_row(ticket_events, event, postgres))
            event_id += 1
        if len(batch.tickets) == BATCH:
            yield batch
            batch = Batch()
    if batch.tickets:
        yield batch


async def _store(conn: AsyncConnection, batch: Batch, postgres: bool) -> None:
    for table, rows in ((tickets, batch.tickets), (ticket_events, batch.events)):
        names = [c.name for c in table.columns]
        if postgres:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.copy_records_to_table(table.name, records=rows, columns=names)
        else:
            await conn.execute(insert(table), [dict(zip(names, r, strict=True)) for r in rows])


async def _next_ids(conn: AsyncConnection) -> tuple[int, int]:
    async def after(table: Table) -> int:
        return int((await conn.execute(select(func.max(table.c.id)))).scalar_one() or 0) + 1

    return await after(tickets), await after(ticket_events)


async def _fix_sequences(conn: AsyncConnection) -> None:
    for table in (tickets, ticket_events):
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table.name}))"
            )
        )


async def load_tickets(
    engine: AsyncEngine,
    total: int,
    open_share: float = 0.1,
    now: datetime | None = None,
    seed: int = 95598,
    progress: Progress | None = None,
) -> None:
    """Add `total` synthetic tickets with their events, in one transaction."""
    postgres = engine.dialect.name == "postgresql"
    bulk = postgres and total >= BULK_THRESHOLD
    indexes = [i for t in (tickets, ticket_events) for i in t.indexes]
    async with engine.begin() as conn:
        first_ticket, first_event = await _next_ids(conn)
        moment = now or datetime.now().astimezone()
        plan = Plan(total, open_share, moment, seed, first_ticket, first_event)
        batches = generate(plan, postgres)
        if postgres:  # COPY runs below SQLAlchemy: open the transaction with a statement first
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
            await conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        if bulk:
            for index in indexes:
                await conn.execute(DropIndex(index, if_exists=True))
        done = 0
        pending = asyncio.create_task(asyncio.to_thread(next, batches, None))
        while (batch := await pending) is not None:  # make the next batch while this one loads
            pending = asyncio.create_task(asyncio.to_thread(next, batches, None))
            await _store(conn, batch, postgres)
            done += len(batch.tickets)
            if progress is not None:
                progress(done)
        if bulk:
            for index in indexes:
                await conn.execute(CreateIndex(index))
        if postgres:
            await _fix_sequences(conn)
