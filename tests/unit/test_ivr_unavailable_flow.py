"""The 95598 flow when a look-up answers `unavailable` (the database cannot answer now): the
caller hears that the account cannot be looked up now, in the call's language, and is offered
an agent or the main menu — never a loop or a hang-up (issue 17)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ivr_flows import commands as c
from ivr_flows.engine import step
from ivr_flows.events import CallStarted, LookupAnswered, LookupStatus
from ivr_flows.loader import FlowError, load_flow
from ivr_flows.models import NodeKind, Session
from tests.ivr_helpers import FLOWS, ZHANG, Dialogue, call

CANNOT_ZH = "很抱歉，系统暂时无法查询您的账户信息。人工服务请按0，返回主菜单请按1。"
CANNOT_EN = "We are sorry, we cannot look up your account right now."
MAIN_MENU_ZH = "故障报修和停电查询请按1"
OUTAGE = {"outage_area": "西湖区文三路", "outage_cause": "10kV线路故障", "outage_restore": None}


def at_identify(d: Dialogue) -> Dialogue:
    return d.silence()


def at_account(d: Dialogue) -> Dialogue:
    return d.silence().answer("not_found").press("3300000001")


def at_bill(d: Dialogue) -> Dialogue:
    return d.silence().answer("found", **ZHANG).answer("not_found").press("2")


def at_outage_query(d: Dialogue) -> Dialogue:
    return d.silence().answer("found", **ZHANG).answer("not_found").press("1").press("3")


def at_notify(d: Dialogue) -> Dialogue:
    return d.silence().answer("found", **ZHANG).answer("found", **OUTAGE).press("3")


# (how the caller reaches the look-up, the queue 0 leads to)
PATHS: list[tuple[Callable[[Dialogue], Dialogue], str]] = [
    (at_identify, "general"),
    (at_account, "general"),
    (at_bill, "billing"),
    (at_outage_query, "fault"),
    (at_notify, "fault"),
]
IDS = ["identify", "account", "bill", "outage_query", "notify_restore"]


def unavailable(reach: Callable[[Dialogue], Dialogue]) -> Dialogue:
    d = reach(call())
    assert isinstance(d.asked(c.Lookup), c.Lookup)
    return d.answer("unavailable")


@pytest.mark.parametrize(("reach", "queue"), PATHS, ids=IDS)
def test_the_caller_hears_it_and_zero_reaches_an_agent(
    reach: Callable[[Dialogue], Dialogue], queue: str
) -> None:
    d = unavailable(reach)
    assert d.heard() == CANNOT_ZH and d.kinds()[-1] is c.Gather
    assert d.press("0").asked(c.Enqueue).queue == queue


@pytest.mark.parametrize(("reach", "queue"), PATHS, ids=IDS)
def test_one_is_the_main_menu_again(reach: Callable[[Dialogue], Dialogue], queue: str) -> None:
    d = unavailable(reach).press("1")
    assert MAIN_MENU_ZH in d.heard() and d.kinds()[-1] is c.Gather


@pytest.mark.parametrize(("reach", "queue"), PATHS, ids=IDS)
def test_no_answer_ends_with_an_agent_not_a_hang_up(
    reach: Callable[[Dialogue], Dialogue], queue: str
) -> None:
    d = unavailable(reach).silence().silence().silence()
    assert d.asked(c.Enqueue).queue == queue and c.Hangup not in d.kinds()


def test_an_english_caller_hears_it_in_english_and_reaches_the_english_line() -> None:
    d = call().press("9")  # English: the caller's look-up at once
    assert isinstance(d.asked(c.Lookup), c.Lookup)
    d.answer("unavailable")
    assert d.heard().startswith(CANNOT_EN) and "无法" not in d.heard()
    assert d.press("0").asked(c.Enqueue).queue == "english"


def test_an_identified_caller_whose_outage_check_fails_goes_on_to_the_menu() -> None:
    d = call().silence().answer("found", **ZHANG).answer("unavailable")
    assert MAIN_MENU_ZH in d.heard() and CANNOT_ZH not in d.heard()


def test_every_lookup_of_the_95598_flow_has_an_unavailable_exit() -> None:
    lookups = [n for n in FLOWS["95598"].nodes.values() if n.kind is NodeKind.LOOKUP]
    assert lookups and all(n.unavailable for n in lookups)


FLOW = """
name: t
entry: find
languages: [zh-CN]
prompts:
  found: {zh-CN: 找到了}
  unknown: {zh-CN: 没有找到}
nodes:
  find: {type: lookup, lookup: caller, found: hit, not_found: miss%s}
  hit: {type: hangup, prompt: found}
  miss: {type: hangup, prompt: unknown}
"""


def test_a_lookup_without_an_unavailable_exit_takes_its_not_found_exit(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(FLOW % "", encoding="utf-8")
    flow = load_flow(path)
    session, _ = step(flow, Session("c1", "t"), CallStarted({"caller": "+8613800138000"}))
    _, commands = step(flow, session, LookupAnswered(LookupStatus.UNAVAILABLE))
    assert [x.prompt for x in commands if isinstance(x, c.Say)] == ["unknown"]


def test_an_unavailable_exit_to_no_node_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(FLOW % ", unavailable: nowhere", encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    assert f"{path}:find: goes to 'nowhere', which is not a node" in caught.value.problems
