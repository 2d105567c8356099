"""The desk's 催办 flag and ticket form in a real browser: a caller with an open complaint
reaches the agent; the pop flags the call as the 2nd about that ticket (in Chinese, then in
English); the form opens a ticket from the call (type and sub-type from the pack's taxonomy,
the customer, account and service point from the pop, the call linked) and comments on the
urged ticket with this call attached. Screenshots are kept on failure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from callcenter.tickets.models import NewTicket, TicketQuery, TicketType
from callcenter.web.keys import ENGINE, TICKETS
from tests.adapters.test_twilio_webhooks import CALLER
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.browser.test_desk_browser import Client, take_call
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import add_agent

playwright_or_skip()

BILL = BillSpec("2026-01", "500.00", date(2026, 2, 20))


async def test_the_desk_flags_an_urge_and_opens_and_updates_tickets_from_the_call(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    created = await add_customer(
        client.app[ENGINE], "张伟", [AccountSpec("3300000001", [CALLER], bills=[BILL])]
    )
    tickets = client.app[TICKETS]
    complaint = await tickets.open(
        NewTicket(TicketType.COMPLAINT, "抄表员态度差", "agent02", customer_id=created.customer_id)
    )
    agent_id = await add_agent(client, "agent01", {"billing": 2, "general": 1})
    context = await browser.new_context(locale="zh-CN")
    desk = await context.new_page()
    try:
        call_id = await take_call(client, desk, agent_id)
        flag = desk.locator("#pop .urges .urge")
        assert await flag.all_text_contents() == [f"催办：第2次来电催办工单 {complaint.number}"]
        assert "催办 1 次" in (await desk.text_content("#pop .tickets") or "")
        await desk.select_option("#lang", "en-US")
        assert await flag.all_text_contents() == [f"Urge: 2nd call about ticket {complaint.number}"]
        assert await desk.text_content("#ticket-for") == "Customer: 张伟, account 3300000001"

        await desk.select_option("#ticket-type", "service_request")
        await desk.select_option("#ticket-subtype", "meter_fault")
        assert await desk.locator("#ticket-subtype option:checked").text_content() == "meter fault"
        await desk.fill("#ticket-summary", "电表走得快")
        await desk.click("#ticket-save")
        await desk.wait_for_selector("#ticket-result:has-text('created')", timeout=5000)
        found, total = await tickets.search(
            TicketQuery(tickets.now(), type=TicketType.SERVICE_REQUEST)
        )
        assert total == 1
        opened = await tickets.get(found[0].id)
        assert await desk.text_content("#ticket-result") == f"Ticket {opened.number} created"
        assert (opened.subtype, opened.summary, opened.channel) == (
            "meter_fault",
            "电表走得快",
            "desk",
        )
        assert (opened.customer_id, opened.account_id) == (
            created.customer_id,
            created.account_ids[0],
        )
        assert (opened.service_point_id, opened.call_ids) == (
            created.service_point_ids[0],
            (call_id,),
        )

        await desk.select_option("#ticket-target", str(complaint.id))
        assert await desk.locator("#ticket-update-fields").is_visible()
        assert await desk.locator("#ticket-new-fields").is_hidden()
        await desk.fill("#ticket-comment", "客户再次来电催办")
        await desk.click("#ticket-save")
        await desk.wait_for_selector("#ticket-result:has-text('updated')", timeout=5000)
        after = await tickets.get(complaint.id)
        assert [e.data for e in after.events if e.type == "comment"] == [
            {"text": "客户再次来电催办"}
        ]
        assert (after.urge_count, after.call_ids) == (1, (call_id,))
    except BaseException:
        await screenshots(request, {"desk": desk})
        raise
    finally:
        await context.close()
