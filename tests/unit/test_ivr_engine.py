"""The pure IVR engine on the shipped 95598 flows: (session, event) -> (session, commands)."""

from __future__ import annotations

import re

import pytest

from ivr_flows import commands as c
from ivr_flows.events import CallerInput
from ivr_flows.models import LookupKind
from tests.ivr_helpers import FLOWS, ZHANG, Dialogue, call

L = LookupKind
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def identified(**extra: object) -> Dialogue:
    """Greeting, no language key, caller identified, no outage: at the main menu."""
    d = call()
    assert "国家电网95598" in d.heard() and d.kinds()[-1] is c.Gather
    d.silence()
    assert d.asked(c.Lookup) == c.Lookup(L.CALLER, "+8613800138000", None)
    d.answer("found", **(ZHANG | extra))
    assert d.asked(c.Lookup).kind is L.OUTAGE
    return d.answer("not_found")


def test_known_outage_is_announced_before_any_menu() -> None:
    d = call().silence().answer("found", **ZHANG)
    d.answer(
        "found",
        outage_area="西湖区文三路",
        outage_cause="10kV线路故障",
        outage_restore="2026-03-10T14:30:00+08:00",
    )
    assert "西湖区文三路因10kV线路故障停电，预计3月10日14点30分恢复供电" in d.heard()
    assert "仍然停电，请按1" in d.heard() and d.kinds()[-1] is c.Gather
    d.press("1")
    assert d.asked(c.OpenTicket).ticket_type == "fault_repair"
    assert d.asked(c.OpenTicket).customer_id == 1
    d.ticket("2026031000000042")
    assert "工单号2 0 2 6" in d.heard() and d.kinds()[-1] is c.Hangup


def test_english_caller_hears_the_outage_in_english() -> None:
    d = call().press("9").answer("found", **ZHANG)
    d.answer(
        "found",
        outage_kind="fault",
        outage_area="西湖区文三路",
        outage_cause="10kV线路故障",
        outage_start="2026-03-10T09:10:00+08:00",
        outage_restore="2026-03-10T14:30:00+08:00",
    )
    heard = d.heard()
    assert "unplanned power outage in your area, since March 10 at 9:10 AM" in heard
    assert "expected back on March 10 at 2:30 PM" in heard
    assert not CHINESE.search(heard)
    assert {s.language for s in d.said()} == {"en-US"}


def test_the_english_option_is_spoken_in_english() -> None:
    d = call()
    spoken = {s.prompt: s.language for s in d.said()}
    assert spoken == {"greeting": "zh-CN", "language_choice": "en-US"}


def test_bill_inquiry_with_arrears_and_late_fee() -> None:
    d = identified()
    assert "电费、余额、欠费和缴费请按2" in d.heard()
    d.press("2")
    assert d.asked(c.Lookup).kind is L.BILL
    d.answer(
        "found", payment_mode="postpaid", arrears="500.00", late_fee="9.00", total_due="509.00"
    )
    assert "目前欠费500元，截至今日违约金9元，合计应缴509元" in d.heard()
    d.press("2")
    assert "支付宝" in d.heard()


def test_prepaid_balance() -> None:
    d = identified().press("2").answer("found", payment_mode="prepaid", balance="12.50")
    assert "当前预付费余额12元5角" in d.heard()


def test_fault_report_creates_a_ticket_after_the_tone() -> None:
    d = identified().press("1").press("2")
    assert d.kinds()[-2:] == [c.Tone, c.Gather]
    assert d.asked(c.Gather).mode is c.InputMode.SPEECH
    d.speak("家里没电了")
    assert d.asked(c.OpenTicket).summary == "家里没电了"
    d.ticket("2026031000000043")
    assert "您的报修已受理" in d.heard()
    d.press("0")
    assert d.asked(c.Enqueue).queue == "fault"


def test_one_wrong_key_after_a_fault_report_is_a_try_not_the_end() -> None:
    d = identified().press("1").press("2").speak("家里没电了").ticket("2026031000000043")
    d.press("7")
    assert "输入有误" in d.heard() and d.kinds()[-1] is c.Gather
    d.press("7").press("7")
    assert d.asked(c.Enqueue).queue == "fault"


def test_silence_after_a_fault_report_says_goodbye() -> None:
    d = identified().press("1").press("2").speak("家里没电了").ticket("2026031000000043")
    d.silence()
    assert "再见" in d.heard() and d.kinds()[-1] is c.Hangup


@pytest.mark.parametrize("words", ["门口电线掉下来了", "There is a spark and smoke"])
def test_hazard_words_go_to_the_emergency_queue(words: str) -> None:
    d = identified().press("1").press("2").speak(words)
    enqueue = d.asked(c.Enqueue)
    assert (enqueue.queue, enqueue.priority) == ("emergency", "100")
    assert "远离危险区域" in d.heard()


def test_hazard_key_goes_to_the_emergency_queue() -> None:
    d = identified().press("1").press("1")
    assert d.asked(c.Enqueue).queue == "emergency"


def test_unknown_caller_keys_the_account_number() -> None:
    d = call().silence().answer("not_found")
    gather = d.asked(c.Gather)
    assert (gather.min_digits, gather.max_digits, gather.finish_on_key) == (10, 13, "#")
    d.press("3300000001")
    assert d.records() == [c.InputTaken("ask_account", digits="******0001")]
    assert d.asked(c.Lookup) == c.Lookup(L.ACCOUNT, account_no="3300000001")
    d.answer("found", **ZHANG)
    assert d.asked(c.Lookup).kind is L.OUTAGE


def test_unknown_account_three_times_goes_to_an_agent() -> None:
    d = call().silence().answer("not_found")
    for _ in range(2):
        d.press("3399999999").answer("not_found")
        assert "未查询到该户号" in d.heard()
    d.press("3399999999").answer("not_found")
    assert d.asked(c.Enqueue).queue == "general"


def test_short_account_number_is_reprompted() -> None:
    d = call().silence().answer("not_found").press("12345")
    assert "户号应为10到13位数字" in d.heard() and d.kinds()[-1] is c.Gather


@pytest.mark.parametrize("inputs", [["7", "8", "6"], ["", "", ""], ["7", "", "1a"]])
def test_three_invalid_or_empty_inputs_go_to_an_agent_never_a_hangup(inputs: list[str]) -> None:
    d = identified()
    for digits in inputs[:-1]:
        d.press(digits)
        assert d.kinds()[-1] is c.Gather and c.Hangup not in d.kinds()
    d.press(inputs[-1])
    assert d.asked(c.Enqueue).queue == "general"


@pytest.mark.parametrize(
    "given",
    [
        CallerInput(speech="我要交电费"),  # words at a keys-only menu
        CallerInput("2", "two"),  # both at once
        CallerInput("1a"),  # not DTMF
    ],
)
def test_unexpected_input_at_a_menu_is_a_try_with_the_retry_prompt(given: CallerInput) -> None:
    d = identified().send(given)
    assert "输入有误" in d.heard() and d.kinds()[-1] is c.Gather
    d.send(given).send(given)
    assert d.asked(c.Enqueue).queue == "general"


def test_keys_at_a_speech_node_are_a_try() -> None:
    d = identified().press("1").press("2").press("5")
    assert d.kinds()[-2:] == [c.Tone, c.Gather] and "没有收到" in d.heard()


def test_an_event_the_node_does_not_wait_for_asks_nothing() -> None:
    d = identified().press("4")
    assert d.asked(c.Enqueue).queue == "complaint"
    assert d.press("1").last == [] and not d.session.finished


def test_english_path() -> None:
    d = call().press("9")
    assert d.session.language == "en-US"
    d.answer("found", **ZHANG).answer("not_found")
    assert "For bills, balance, arrears and payment, press 2" in d.heard()
    d.press("2").answer(
        "found", payment_mode="postpaid", arrears="123.45", late_fee="1.00", total_due="124.45"
    )
    assert "the amount overdue is 123 yuan 4 jiao 5 fen" in d.heard()
    d.press("0")
    assert d.asked(c.Enqueue).queue == "billing" and d.asked(c.Enqueue).language == "en-US"


def test_english_caller_asking_for_an_agent_gets_the_english_queue() -> None:
    d = call().press("9").answer("found", **ZHANG).answer("not_found").press("0")
    assert d.asked(c.Enqueue).queue == "english"


def test_caller_with_two_accounts_chooses_one() -> None:
    accounts = [{"account_no": "3300000001"}, {"account_no": "3300000002"}]
    d = call().silence().answer("many", accounts=accounts)
    assert "尾号0 0 0 1的户号，请按1" in d.heard() and "尾号0 0 0 2的户号，请按2" in d.heard()
    d.press("3")
    assert "输入有误" in d.heard() and "尾号0 0 0 1" in d.heard()  # no third account
    d.press("2")
    assert d.asked(c.Lookup) == c.Lookup(L.ACCOUNT, account_no="3300000002")


def test_the_account_chooser_gives_up_after_its_tries() -> None:
    accounts = [{"account_no": "3300000001"}, {"account_no": "3300000002"}]
    d = call().silence().answer("many", accounts=accounts)
    d.press("7").press("8")
    assert d.kinds()[-1] is c.Gather
    d.press("9")
    assert d.asked(c.Enqueue).queue == "general"


@pytest.mark.parametrize(
    ("extra", "queue", "priority", "preferred"),
    [
        ({"important_grade": "first", "account_manager_id": 4}, "priority", "80", 4),
        ({"account_manager_id": 5}, "priority", "80", 5),
    ],
)
def test_important_users_and_big_customers_skip_the_menu(
    extra: dict[str, object], queue: str, priority: str, preferred: int
) -> None:
    d = call().silence().answer("found", **(ZHANG | extra)).answer("not_found")
    enqueue = d.asked(c.Enqueue)
    assert (enqueue.queue, enqueue.priority, enqueue.preferred_agent) == (
        queue,
        priority,
        preferred,
    )


def test_vulnerable_caller_gets_an_agent_on_one_key() -> None:
    d = call().silence().answer("found", **(ZHANG | {"vulnerable": True}))
    d.answer("not_found").press("1")
    assert (d.asked(c.Enqueue).queue, d.asked(c.Enqueue).priority) == ("general", "60")


def test_survey_after_the_agent_leg() -> None:
    d = identified().press("4")
    assert d.asked(c.Enqueue).queue == "complaint"
    d.queue_left("bridged")
    assert "非常满意请按5" in d.heard()
    d.press("6")
    assert "请按1到5之间的数字" in d.heard()
    d.press("5")
    assert d.session.vars["satisfaction"] == 5
    assert [r for r in d.records() if r.survey == 5]
    assert "感谢您的评价" in d.heard() and d.kinds()[-1] is c.Hangup and d.session.finished


def test_hang_up_finishes_and_later_events_do_nothing() -> None:
    d = identified().hang_up()
    assert d.session.finished and d.last == []
    assert d.press("1").last == []


def test_every_menu_of_the_main_flow_offers_an_agent_on_0() -> None:
    flow = FLOWS["95598"]
    menus = [n for n in flow.nodes.values() if n.kind == "menu" and n.id != "language"]
    assert menus and all("0" in n.options or "1" in n.options for n in menus)
    assert all(n.on_exhausted for n in menus)
    without_zero = [n.id for n in menus if "0" not in n.options]
    assert without_zero == []


def test_every_menu_gives_at_least_three_tries_before_its_fallback() -> None:
    nodes = FLOWS["95598"].nodes.values()
    inputs = [n for n in nodes if n.kind in ("menu", "collect") and n.id != "language"]
    assert inputs and all(n.retries >= 3 for n in inputs)


def test_session_counts_events_for_retry_detection() -> None:
    d = identified()
    assert d.session.seq == 4
    assert d.session.path[:3] == ("greeting", "language", "identify")
