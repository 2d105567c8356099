"""The SLA sweep on both stores: warnings at 70/80/90 % and the breach announced once each,
at the moment reached, as ticket events and webhooks; the breach escalates; a paused ticket
is left alone; two sweeps at once announce each level once; the next step starts at ok."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.events import Event
from callcenter.web.keys import TICKETS
from tests.conftest import NOW
from tests.integration.tickets_helpers import Client, MakeClient, headers, post, ticket_client


class Published:
    """An event sink that keeps what is published."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.events.append(event)

    def of(self, *types: str) -> list[Event]:
        return [e for e in self.events if e.type in types]


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    return await ticket_client(aiohttp_client, stores, clock)


@pytest.fixture
def published(client: Client) -> Published:
    sink = Published()
    client.app[TICKETS].events = sink
    return sink


async def urban_fault(client: Client) -> int:
    """A fault repair in town, opened at NOW: a crew on site within 45 minutes."""
    auth = await headers(client, Role.SUPERVISOR)
    body = {"type": "fault_repair", "summary": "停电", "area_class": "urban"}
    created: dict[str, Any] = await post(client, "/api/tickets", body, auth, 201)
    assert datetime.fromisoformat(created["due_at"]) == NOW + timedelta(minutes=45)
    assert (created["sla_state"], created["sla_step"]) == ("ok", "arrived")
    return int(created["id"])


async def test_levels_are_announced_once_each_with_their_moment(
    client: Client, clock: ManualClock, published: Published
) -> None:
    tid = await urban_fault(client)
    tickets = client.app[TICKETS]
    clock.set(NOW + timedelta(minutes=32))
    assert await tickets.sweep() == 1
    clock.set(NOW + timedelta(minutes=46))
    assert await tickets.sweep() == 3
    assert await tickets.sweep() == 0
    ticket = await tickets.get(tid)
    assert (ticket.sla_state, ticket.escalation_level) == ("breached", 1)
    sla = ("sla_warning", "sla_breached")
    levels = [(e.type, e.data["level"], e.data["at"]) for e in ticket.events if e.type in sla]
    assert levels == [
        ("sla_warning", "warn70", (NOW + timedelta(minutes=31.5)).isoformat()),
        ("sla_warning", "warn80", (NOW + timedelta(minutes=36)).isoformat()),
        ("sla_warning", "warn90", (NOW + timedelta(minutes=40.5)).isoformat()),
        ("sla_breached", "breached", (NOW + timedelta(minutes=45)).isoformat()),
    ]
    escalated = [e for e in ticket.events if e.type == "escalated"]
    assert [(e.actor, e.data["level"], e.data["reason"]) for e in escalated] == [
        ("sla", 1, "breached")
    ]
    assert [e.type for e in published.of("ticket.warned", "ticket.breached")] == [
        "ticket.warned"
    ] * 3 + ["ticket.breached"]
    assert published.of("ticket.breached")[0].data["ticket"]["number"] == ticket.number


async def test_two_sweeps_at_once_announce_each_level_once(
    client: Client, clock: ManualClock, published: Published
) -> None:
    tid = await urban_fault(client)
    clock.set(NOW + timedelta(hours=1))
    tickets = client.app[TICKETS]
    counts = await asyncio.gather(tickets.sweep(), tickets.sweep())
    assert sum(counts) == 4
    assert len(published.of("ticket.warned", "ticket.breached")) == 4
    assert (await tickets.get(tid)).escalation_level == 1


async def test_a_ticket_waiting_on_the_customer_is_left_alone(
    client: Client, clock: ManualClock, published: Published
) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    body = {"type": "service_request", "subtype": "reconnection", "summary": "复电"}
    tid = (await post(client, "/api/tickets", body, auth, 201))["id"]
    for status in ("accepted", "awaiting_customer"):
        resp = await client.patch(f"/api/tickets/{tid}", json={"status": status}, headers=auth)
        assert resp.status == 200
    waiting = await resp.json()
    assert waiting["due_at"] is None and waiting["sla_paused"] is True
    clock.set(NOW + timedelta(days=3))
    assert await client.app[TICKETS].sweep() == 0
    resp = await client.patch(f"/api/tickets/{tid}", json={"status": "in_progress"}, headers=auth)
    back = await resp.json()  # 24 h less the time before the pause
    assert datetime.fromisoformat(back["due_at"]) == NOW + timedelta(days=3, hours=24)
    assert published.of("ticket.warned", "ticket.breached") == []


async def test_the_next_step_starts_again_at_ok(client: Client, clock: ManualClock) -> None:
    tid = await urban_fault(client)
    tickets = client.app[TICKETS]
    clock.set(NOW + timedelta(minutes=50))
    await tickets.sweep()
    auth = await headers(client, Role.SUPERVISOR)
    for name in ("accepted", "dispatched", "departed", "arrived"):
        await post(client, f"/api/tickets/{tid}/milestones", {"milestone": name}, auth, 201)
    read = await (await client.get(f"/api/tickets/{tid}", headers=auth)).json()
    assert (read["sla_step"], read["sla_state"]) == ("restored", "ok")
    assert datetime.fromisoformat(read["due_at"]) == NOW + timedelta(minutes=50, hours=3)
    steps = {s["step"]: s for s in read["deadlines"]}
    assert steps["arrived"]["state"] == "breached" and steps["restored"]["state"] == "ok"
