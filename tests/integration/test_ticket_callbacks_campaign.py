"""回访 by campaign, through the app on both stores: `callbacks-due` targets the customers
of the tickets awaiting their callback (each once, on the ticket's account), and each
satisfaction-callback attempt's result is recorded on its ticket from the keyed rating."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from callcenter.calls.models import CallEventType, Direction, ProviderRef
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.events import Event
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from callcenter.storage.tables import accounts
from callcenter.web.keys import CALLS, ENGINE, OUTBOUND
from outbound.models import CampaignType, GatewayKind, NewCampaign, TargetQuery, TargetQueryKind
from tests.integration.admin_helpers import Client, make_app, send, staff
from tests.integration.outbound_helpers import Town, town

Auth = dict[str, str]
Json = dict[str, Any]


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    return await aiohttp_client(make_app(stores, clock, CALLCENTER_OUTBOUND__RUN_DIALER="false"))


@pytest.fixture
async def places(client: Client) -> Town:
    return await town(client.app[ENGINE])


@pytest.fixture
async def operator(client: Client) -> Auth:
    return (await staff(client, Role.OPERATOR))[1]


async def customer_of(client: Client, account_id: int) -> int:
    async with client.app[ENGINE].connect() as conn:
        query = select(accounts.c.customer_id).where(accounts.c.id == account_id)
        return int((await conn.execute(query)).scalar_one())


async def complaint(
    client: Client, auth: Auth, account_id: int, *, on_account: bool, moves: tuple[str, ...]
) -> Json:
    body: Json = {
        "type": "complaint",
        "summary": "投诉",
        "customer_id": await customer_of(client, account_id),
    }
    if on_account:
        body["account_id"] = account_id
    status, ticket = await send(client, "POST", "/api/tickets", auth, body)
    assert status == 201, ticket
    for move in moves:
        status, ticket = await send(
            client, "PATCH", f"/api/tickets/{ticket['id']}", auth, {"status": move}
        )
        assert status == 200, ticket
    return dict(ticket)


RESOLVE = ("accepted", "in_progress", "resolved")


async def test_the_targets_are_the_customers_awaiting_a_callback(
    client: Client, places: Town, operator: Auth
) -> None:
    a = places.accounts
    first = await complaint(client, operator, a["3300000003"], on_account=True, moves=RESOLVE)
    await complaint(
        client, operator, a["3300000002"], on_account=True, moves=RESOLVE
    )  # same customer
    zhang = await complaint(client, operator, a["3300000001"], on_account=False, moves=RESOLVE)
    await complaint(client, operator, a["3300000005"], on_account=False, moves=RESOLVE)  # no phone
    await complaint(client, operator, a["3300000006"], on_account=False, moves=("accepted",))
    status, preview = await send(
        client, "POST", "/api/campaigns/preview", operator, {"target": "callbacks-due:all"}
    )
    assert status == 200, preview
    found = {row["account_no"]: row["values"] for row in preview["sample"]}
    assert found == {
        "3300000001": {
            "account_no": "3300000001", "ticket_id": str(zhang["id"]),
            "ticket_number": zhang["number"], "ticket_type": "complaint",
        },
        "3300000003": {
            "account_no": "3300000003", "ticket_id": str(first["id"]),
            "ticket_number": first["number"], "ticket_type": "complaint",
        },
    }  # fmt: skip
    assert preview["count"] == 2
    _, faults = await send(
        client,
        "POST",
        "/api/campaigns/preview",
        operator,
        {"target": "callbacks-due:fault_repair"},
    )
    assert faults["count"] == 0


async def test_a_bad_ticket_type_is_refused(client: Client, operator: Auth) -> None:
    status, answer = await send(
        client, "POST", "/api/campaigns/preview", operator, {"target": "callbacks-due:faults"}
    )
    assert (status, answer["error"]["code"]) == (400, "invalid-target-query")


async def _attempt(client: Client, now: Any) -> tuple[int, int, int]:
    """A built satisfaction-callback campaign: (campaign id, attempt id, its number)."""
    stores = client.app[OUTBOUND].stores
    query = TargetQuery(TargetQueryKind.CALLBACKS_DUE, "all")
    new = NewCampaign("回访", CampaignType.SATISFACTION_CALLBACK, GatewayKind.SIMULATED, query)
    campaign_id = (await stores.campaigns.create(new, now)).campaign.id
    assert await stores.targets.build(campaign_id, query, now) == 1
    async with client.app[ENGINE].connect() as conn:
        row = (
            await conn.execute(
                select(campaign_attempts.c.id, campaign_attempts.c.attempt_no)
                .join(campaign_targets, campaign_targets.c.id == campaign_attempts.c.target_id)
                .where(campaign_targets.c.campaign_id == campaign_id)
            )
        ).one()
    return campaign_id, row.id, row.attempt_no


async def _rated_call(client: Client, score: int | None) -> str:
    call = await client.app[CALLS].start(
        Direction.OUTBOUND, "+861095598", "+8613800000001", ProviderRef("simulated", f"S{score}")
    )
    if score is not None:
        await client.app[CALLS].record(call.id, CallEventType.SURVEY_ANSWERED, {"score": score})
    return call.id


@pytest.mark.parametrize(
    ("result", "score", "status", "outcome", "escalation"),
    [
        ("confirmed", 5, "closed", "satisfied", 0),
        ("confirmed", 3, "closed", "satisfied", 0),
        ("confirmed", 2, "reopened", "unsatisfied", 1),
        ("answered", None, "awaiting_callback", "unreachable", 0),  # hung up before rating
        ("no_answer", None, "awaiting_callback", "unreachable", 0),
        ("refused", None, "awaiting_callback", None, 0),  # no call placed: no callback
    ],
)
async def test_each_result_is_recorded_on_the_ticket(
    client: Client,
    places: Town,
    operator: Auth,
    clock: ManualClock,
    result: str,
    score: int | None,
    status: str,
    outcome: str | None,
    escalation: int,
) -> None:
    ticket = await complaint(
        client, operator, places.accounts["3300000001"], on_account=False, moves=RESOLVE
    )
    campaign_id, attempt_id, attempt_no = await _attempt(client, clock.now())
    placed = result != "refused" and (score is not None or result == "answered")
    call_id = await _rated_call(client, score) if placed else None
    data = {
        "campaign_id": campaign_id, "attempt_id": attempt_id, "attempt_no": attempt_no,
        "result": result, "call_id": call_id,
    }  # fmt: skip
    await client.app[OUTBOUND].events.publish(Event("attempt.result", data))
    _, after = await send(client, "GET", f"/api/tickets/{ticket['id']}", operator)
    assert (after["status"], after["escalation_level"]) == (status, escalation)
    callbacks = [e for e in after["events"] if e["type"] == "callback"]
    assert [e["data"]["outcome"] for e in callbacks] == ([outcome] if outcome else [])
    if callbacks:
        assert callbacks[0]["actor"] == f"campaign:{campaign_id}"
        assert callbacks[0]["data"]["via"] == "campaign"
        assert callbacks[0]["data"]["score"] == score
        assert (call_id in after["call_ids"]) is (call_id is not None)


async def test_a_result_for_a_closed_ticket_is_only_logged(
    client: Client, places: Town, operator: Auth, clock: ManualClock
) -> None:
    ticket = await complaint(
        client, operator, places.accounts["3300000001"], on_account=False, moves=RESOLVE
    )
    campaign_id, attempt_id, attempt_no = await _attempt(client, clock.now())
    body = {"outcome": "satisfied", "score": 4}
    status, _ = await send(client, "POST", f"/api/tickets/{ticket['id']}/callbacks", operator, body)
    assert status == 201
    data = {
        "campaign_id": campaign_id, "attempt_id": attempt_id, "attempt_no": attempt_no,
        "result": "no_answer", "call_id": None,
    }  # fmt: skip
    await client.app[OUTBOUND].events.publish(Event("attempt.result", data))
    _, after = await send(client, "GET", f"/api/tickets/{ticket['id']}", operator)
    assert after["status"] == "closed"
    assert [e["type"] for e in after["events"]].count("callback") == 1
