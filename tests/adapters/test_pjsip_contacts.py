"""Phantom "ready" agents on Asterisk (issue 17): a PJSIP contact removed or unreachable
(AMI `ContactStatus`) makes the agent whose sip or webrtc device is that endpoint not ready
with the reason `device`; other statuses, endpoints and device kinds change nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from agents.models import SYSTEM, AgentState
from agents.ports import AgentInfo
from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import agents
from callcenter.telephony.asterisk.codec import Message
from callcenter.telephony.asterisk.contacts import ContactWatch, endpoint_of
from callcenter.web.keys import ACD, AMI, ENGINE
from tests.adapters.test_ami_operations import Asterisk
from tests.ami_helpers import FakeAmi, ami_settings
from tests.conftest import NOW
from tests.integration.test_agent_desk import add_agent

Client = TestClient[web.Request, web.Application]


def agent(agent_id: int, kind: str, address: str, enabled: bool = True) -> AgentInfo:
    return AgentInfo(
        agent_id, f"a{agent_id}", "", kind, address, frozenset(), {}, {}, enabled=enabled
    )


AGENTS = [
    agent(1, "sip", "2001"),
    agent(2, "webrtc", "PJSIP/2002"),
    agent(3, "phone", "+8613800138000"),
    agent(4, "sip", "2004", enabled=False),
    agent(5, "twilio_client", "2001"),
]


def contact(endpoint: str, status: str) -> Message:
    return Message(
        "event",
        "ContactStatus",
        {
            "Event": "ContactStatus",
            "URI": f"sip:{endpoint}@192.0.2.10:5060",
            "ContactStatus": status,
            "AOR": endpoint,
            "EndpointName": endpoint,
        },
    )


@pytest.mark.parametrize(
    ("endpoint", "status", "reported"),
    [
        ("2001", "Removed", [(1, "Removed")]),
        ("2001", "Unreachable", [(1, "Unreachable")]),
        ("2002", "Removed", [(2, "Removed")]),  # the desk's WebRTC phone
        ("2001", "Reachable", []),
        ("2001", "Created", []),
        ("2004", "Removed", []),  # a disabled agent
        ("9999", "Removed", []),  # nobody's endpoint
    ],
)
async def test_a_gone_contact_fails_its_agents_device(
    endpoint: str, status: str, reported: list[tuple[int, str]]
) -> None:
    seen: list[tuple[int, str]] = []

    async def gone(agent_id: int, why: str) -> None:
        seen.append((agent_id, why))

    watch = ContactWatch(lambda: AGENTS, gone)
    watch.on_event(contact(endpoint, status))
    watch.on_event(Message("event", "Hangup", {"Event": "Hangup"}))
    await watch.settled()
    assert seen == reported


def test_the_endpoint_of_a_device() -> None:
    assert [endpoint_of(a) for a in AGENTS] == ["2001", "2002", None, "2004", None]


async def test_the_app_takes_a_ready_agent_whose_phone_unregistered_out_of_routing(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> None:
    async with FakeAmi(Asterisk()) as server:
        settings = ami_settings(stores, server.port)
        client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
        agent_id = await add_agent(client, "agent01", {"general": 1})
        async with client.app[ENGINE].begin() as conn:
            await conn.execute(
                update(agents)
                .where(agents.c.user_id == agent_id)
                .values(device_kind="sip", device_address="2001")
            )
        acd = client.app[ACD]
        await acd.refresh_agents()
        await acd.login(agent_id, SYSTEM)
        await acd.set_state(agent_id, "ready", None, SYSTEM)
        for listener in client.app[AMI].listeners:
            listener(contact("2001", "Removed"))
        for _ in range(100):
            presence = await acd.presence(agent_id)
            if presence.state is AgentState.NOT_READY:
                break
            await asyncio.sleep(0.02)
        assert (presence.state, presence.reason) == (AgentState.NOT_READY, "device")
        await client.close()
