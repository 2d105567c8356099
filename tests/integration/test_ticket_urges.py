"""催办 through the real app: a caller with open tickets who reaches the IVR urges each of
them once per call (event, call link, count), the screen-pop says which call about the
ticket this is, and the call is served before an equal caller with no open ticket."""

from __future__ import annotations

from datetime import date

from callcenter.calls.models import ProviderRef
from callcenter.tickets.models import Actor, NewTicket, Ticket, TicketType
from callcenter.tickets.urges import TicketUrges, Urge
from callcenter.web.keys import ACD, CALLS, ENGINE, TICKETS
from tests.adapters.test_twilio_webhooks import CALLER, Caller
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration import test_agent_desk as desk_tests
from tests.integration.test_agent_desk import (
    Client,
    next_message,
    ready_agent,
)
from tests.integration.tickets_helpers import headers

OTHER = "+8613900139000"
SID = "CA0000000000000000000000000000bb01"
PLAIN_SID = "CA0000000000000000000000000000bb02"
BILL = BillSpec("2026-01", "500.00", date(2026, 2, 20))


# the desk tests' app (a fake Twilio REST, the router run by hand) on the test's clock
client, rest, clock = desk_tests.client, desk_tests.rest, desk_tests.clock


async def customer_with_tickets(client: Client, phone: str = CALLER) -> list[Ticket]:
    """A customer calling from `phone` with two open tickets and a closed one."""
    created = await add_customer(
        client.app[ENGINE], "张伟", [AccountSpec("3300000001", [phone], bills=[BILL])]
    )
    tickets = client.app[TICKETS]
    opened = [
        await tickets.open(NewTicket(kind, summary, "agent01", customer_id=created.customer_id))
        for kind, summary in (
            (TicketType.COMPLAINT, "抄表员态度差"),
            (TicketType.SERVICE_REQUEST, "电表走得快"),
            (TicketType.CONSULTATION, "电价咨询"),
        )
    ]
    await tickets.close(opened[2].id, "已解答", Actor("agent01"))
    return opened


async def to_billing(client: Client, sid: str, phone: str = CALLER) -> str:
    """A caller asks for a billing agent from the bill menu; the call's id."""
    caller = Caller(client, sid)
    caller.base |= {"From": phone, "Caller": phone}
    await caller.ring()
    await caller.silence()
    await caller.press("2")
    assert ">billing</Enqueue>" in await caller.press("0")
    call = await client.app[CALLS].find_by_provider(ProviderRef("twilio", sid))
    assert call is not None
    return call.id


def urges_of(ticket: Ticket) -> list[dict[str, object]]:
    return [e.data for e in ticket.events if e.type == "urge"]


async def test_a_caller_urges_each_open_ticket_once_and_the_pop_flags_it(client: Client) -> None:
    complaint, request, closed = await customer_with_tickets(client)
    _, _, ws = await ready_agent(client)
    call_id = await to_billing(client, SID)
    tickets = client.app[TICKETS]
    for ticket in (complaint, request):
        after = await tickets.get(ticket.id)
        assert (after.urge_count, urges_of(after)) == (1, [{"call_id": call_id, "call_no": 2}])
        assert after.call_ids == (call_id,)
    assert (await tickets.get(closed.id)).urge_count == 0
    linked = (await client.app[CALLS].detail(call_id)).tickets
    assert {(t.ticket_id, t.relation) for t in linked} == {
        (complaint.id, "urge"),
        (request.id, "urge"),
    }
    assert await client.app[ACD].route() == 1
    pop = (await next_message(ws, "offer"))["pop"]
    assert sorted(u["number"] for u in pop["urges"]) == sorted([complaint.number, request.number])
    assert {u["call_no"] for u in pop["urges"]} == {2}
    shown = {t["id"]: t for t in pop["customers"][0]["open_tickets"]}
    assert set(shown) == {complaint.id, request.id}
    assert {(t["urge_count"], t["sla_state"], t["call_no"]) for t in shown.values()} == {
        (1, "ok", 2)
    }
    await ws.close()


async def test_asking_again_for_the_same_call_urges_nothing_more(client: Client) -> None:
    complaint, _, _ = await customer_with_tickets(client)
    call_id = await to_billing(client, SID)
    urges = TicketUrges(client.app[TICKETS])
    again = await urges.urge(call_id, [complaint.id, complaint.id])
    assert again == (Urge(complaint.id, complaint.number, 2),)
    after = await client.app[TICKETS].get(complaint.id)
    assert (after.urge_count, len(urges_of(after))) == (1, 1)


async def test_the_next_call_is_the_third_about_the_ticket(client: Client) -> None:
    complaint, _, _ = await customer_with_tickets(client)
    await to_billing(client, SID)
    second = await to_billing(client, PLAIN_SID)
    after = await client.app[TICKETS].get(complaint.id)
    assert after.urge_count == 2
    assert urges_of(after)[-1] == {"call_id": second, "call_no": 3}


async def test_the_call_that_opened_a_ticket_does_not_urge_it(client: Client) -> None:
    await customer_with_tickets(client)
    call_id = await to_billing(client, SID)
    opened = await client.app[TICKETS].open(
        NewTicket(TicketType.OPINION, "意见", "agent01", call_id=call_id)
    )
    assert await TicketUrges(client.app[TICKETS]).urge(call_id, [opened.id]) == ()
    assert (await client.app[TICKETS].get(opened.id)).urge_count == 0


async def test_an_urging_caller_is_served_before_an_equal_caller_without_open_tickets(
    client: Client,
) -> None:
    await add_customer(
        client.app[ENGINE], "李娜", [AccountSpec("3300000002", [OTHER], bills=[BILL])]
    )
    await customer_with_tickets(client)
    plain = await to_billing(client, PLAIN_SID, OTHER)  # in line first
    urging = await to_billing(client, SID)
    queued = {
        call_id: [
            e.data["priority"]
            for e in (await client.app[CALLS].detail(call_id)).events
            if e.type == "queued"
        ]
        for call_id in (plain, urging)
    }
    assert queued == {plain: [3], urging: [2]}  # normal; one band up (cn-sgcc: 1)
    agent_id, _, ws = await ready_agent(client)
    assert await client.app[ACD].route() == 1
    assert (await next_message(ws, "offer"))["call_id"] == urging
    assert (await client.app[ACD].presence(agent_id)).call_id == urging
    await ws.close()


async def test_the_taxonomy_lists_the_packs_types_and_sub_types(client: Client) -> None:
    auth = await headers(client)
    resp = await client.get("/api/tickets/taxonomy", headers=auth)
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    types = {t["code"]: t for t in body["types"]}
    assert list(types) == list(TicketType)
    assert types["fault_repair"]["name_zh"] == "故障报修"
    assert {"code": "meter_fault", "name_zh": "计量装置故障", "name_en": "meter fault"} in types[
        "service_request"
    ]["subtypes"]
    assert [s["code"] for s in body["complaint_severities"]] == [
        "special",
        "major",
        "important",
        "general",
    ]
    assert (await client.get("/api/tickets/424242", headers=auth)).status == 404  # not shadowed
    assert (await client.get("/api/tickets/taxonomy")).status == 401
