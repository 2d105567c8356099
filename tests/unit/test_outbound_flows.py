"""The outbound message flows, one per campaign type, on the pure IVR engine: what a person
hears, what an answering machine may hear, the identity check before any debt is spoken, and
the `outcome` the dialer reads (confirmed, opted out, agent)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ivr_flows import commands as c
from ivr_flows.events import CallStarted
from ivr_flows.loader import FLOWS_DIR, FlowError, default_flow_files, load_flows
from ivr_flows.models import Session
from ivr_flows.prompts import render
from outbound.models import CampaignType
from tests.ivr_helpers import FLOWS, Dialogue

T = CampaignType
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Before the identity check and on an answering machine: no figure (but the hotline's number,
# the "press 1" key and "the last 4 digits" asked for), no money, no debt, no cut, no date.
ALLOWED = re.compile(r"95598|按1|press 1|后4位|last 4 digits")
DEBT = re.compile(
    r"\d|元|角|欠费|违约金|缴|余额|停电|停止供电|"
    r"yuan|jiao|\bfen\b|overdue|late fee|arrears|debt|balance|disconnect|\bcut\b",
    re.IGNORECASE,
)
# On an answering machine, not even whose account it is.
PERSONAL = re.compile(r"户号|张伟|account", re.IGNORECASE)
TARGET: dict[str, Any] = {
    "account_no": "3300000012",
    "customer_name": "张伟",
    "outage_kind": "planned",
    "outage_area": "西湖区文三路",
    "outage_cause": "10kV线路改造",
    "outage_start": "2026-03-10T08:00:00+08:00",
    "outage_restore": "2026-03-10T18:00:00+08:00",
    "previous_restore": "2026-03-10T14:30:00+08:00",
    "restored_at": "2026-03-10T17:45:00+08:00",
    "amount": "256.80",
    "due_date": "2026-03-20",
    "balance": "12.50",
    "threshold": "30",
    "arrears": "500.00",
    "late_fee": "9.00",
    "total_due": "509.00",
    "cut_at": "2026-03-25T10:00:00+08:00",
    "ticket_number": "2026031000000042",
    "vulnerable": False,
}
ACCOUNT_DIGITS = "3 3 0 0 0 0 0 0 1 2"


@dataclass(frozen=True)
class Case:
    """A campaign type: what its message says in each language, whether the callee keys the
    last 4 digits of the account first, where 0 goes, and the keys that confirm."""

    type: CampaignType
    zh: tuple[str, ...]
    en: tuple[str, ...]
    identity: bool = False
    queue: str = "billing"
    confirm: tuple[str, ...] = ("1",)
    target: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        T.OUTAGE_NOTICE,
        ("户号尾号0 0 1 2所在的西湖区文三路因计划检修（10kV线路改造），将于3月10日8点整停电",),
        (
            "Because of planned maintenance, power in the area of your account ending in 0 0 1 2 "
            "will be off from March 10 at 8:00 AM until about March 10 at 6:00 PM",
        ),
        queue="fault",
    ),
    Case(
        T.RESTORATION_NOTICE,
        ("户号尾号0 0 1 2所在的西湖区文三路已于3月10日17点45分恢复供电",),
        (
            "Power was restored on March 10 at 5:45 PM in the area of your account ending in "
            "0 0 1 2",
        ),
        queue="fault",
    ),
    Case(
        T.ETR_UPDATE,
        ("预计恢复供电时间由3月10日14点30分调整为3月10日18点整",),
        ("has changed from March 10 at 2:30 PM to March 10 at 6:00 PM",),
        queue="fault",
    ),
    Case(
        T.BILL_REMINDER,
        ("户号尾号0 0 1 2的本期电费为256元8角，缴费截止日期为3月20日",),
        ("bill of 256 yuan 8 jiao for your account ending in 0 0 1 2 is due on March 20",),
    ),
    Case(
        T.LOW_BALANCE,
        ("户号尾号0 0 1 2的预付费电费余额为12元5角，已低于30元",),
        ("prepaid balance of your account ending in 0 0 1 2 is 12 yuan 5 jiao, below 30 yuan",),
    ),
    Case(
        T.ZERO_BALANCE,
        ("余额为0元，已经用完。如未及时充值，将于3月25日10点整停止供电",),
        ("is 0 yuan: it is used up. Unless you top up, the supply will be cut on March 25",),
        target={"balance": "0"},
    ),
    Case(
        T.ARREARS_REMINDER,
        (f"户号{ACCOUNT_DIGITS}目前欠费500元，截至今日违约金9元，合计应缴509元",),
        (
            f"account {ACCOUNT_DIGITS} has 500 yuan overdue, with a late fee to date of 9 yuan: "
            "509 yuan in total",
        ),
        identity=True,
    ),
    Case(
        T.DISCONNECTION_NOTICE,
        ("截至今日违约金9元，合计应缴509元", "将于3月25日10点整对您停止供电"),
        ("late fee to date of 9 yuan", "disconnected on March 25 at 10:00 AM"),
        identity=True,
    ),
    Case(
        T.RE_NOTICE,
        (f"户号{ACCOUNT_DIGITS}欠费500元", "将于3月25日10点整对您停止供电"),
        ("509 yuan in total", "disconnected on March 25 at 10:00 AM"),
        identity=True,
    ),
    Case(
        T.SATISFACTION_CALLBACK,
        ("关于您的工单2 0 2 6 0 3 1 0 0 0 0 0 0 0 4 2",),
        ("your ticket 2 0 2 6 0 3 1 0 0 0 0 0 0 0 4 2 was handled",),
        queue="complaint",
        confirm=("1", "4"),
    ),
]
BY_TYPE = {case.type: case for case in CASES}
IDS = [case.type.value for case in CASES]


def dial(case: Case, lang: str | None = None, **extra: Any) -> Dialogue:
    """The dialer starts the type's flow with the target's variables."""
    variables = TARGET | case.target | extra | ({"lang": lang} if lang else {})
    flow = FLOWS[case.type.value]
    dialogue = Dialogue(flow, Session(call_id="out-1", flow=flow.name))
    return dialogue.send(CallStarted(variables))


def everything(d: Dialogue) -> str:
    """All the callee heard in the whole call."""
    said = [x for x in d.commands if isinstance(x, c.Say)]
    return " ".join(render(FLOWS[x.flow], x.prompt, x.language, x.params) for x in said)


def debt_free(text: str) -> bool:
    return DEBT.search(ALLOWED.sub("", text)) is None


def neutral(text: str) -> bool:
    return debt_free(text) and PERSONAL.search(text) is None


def to_message(case: Case, lang: str | None = None, **extra: Any) -> Dialogue:
    """A person answers; past the identity check where the type has one: at the menu."""
    d = dial(case, lang, **extra)
    if case.identity:
        assert debt_free(d.heard()) and d.asked(c.Gather).max_digits == 4
        d.press("0012")
    return d


def outcome(d: Dialogue) -> Any:
    return d.session.vars.get("outcome")


def test_every_campaign_type_has_its_flow_under_outbound() -> None:
    assert {case.type for case in CASES} == set(CampaignType)
    for kind in CampaignType:
        flow = FLOWS[kind.value]
        assert Path(flow.source) == FLOWS_DIR / "outbound" / f"{kind.value}.yaml"
        assert flow.nodes[flow.entry].flow == "outbound-answer"
        assert flow.languages == ("zh-CN", "en-US")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_person_hears_the_message_and_confirms(case: Case) -> None:
    d = to_message(case)
    heard = d.heard()
    assert heard.startswith("核实成功" if case.identity else "您好，这里是国家电网95598。")
    assert all(text in heard for text in case.zh), heard
    assert "重听请按2，人工服务请按0，如不希望再接到此类电话请按9" in heard
    assert outcome(d) == "heard" and d.kinds()[-1] is c.Gather
    for key in case.confirm:
        d.press(key)
    assert outcome(d) == "confirmed"
    assert c.InputTaken("confirm", digits="1") in d.commands
    assert "再见" in d.heard() and d.kinds()[-1] is c.Hangup


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_2_repeats_the_message(case: Case) -> None:
    d = to_message(case).press("2")
    assert all(text in d.heard() for text in case.zh)
    assert d.kinds()[-1] is c.Gather and outcome(d) == "heard"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_9_opts_out(case: Case) -> None:
    d = to_message(case).press("9")
    assert outcome(d) == "opted_out" and c.InputTaken("confirm", digits="9") in d.last
    assert "今后将不再向您拨打此类电话" in d.heard() and d.kinds()[-1] is c.Hangup


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize(("lang", "queue"), [("zh-CN", None), ("en-US", "english")])
def test_0_puts_the_callee_in_line_for_an_agent(case: Case, lang: str, queue: str | None) -> None:
    d = to_message(case, lang).press("0")
    enqueue = d.asked(c.Enqueue)
    assert outcome(d) == "agent"
    assert (enqueue.queue, enqueue.language) == (queue or case.queue, lang)
    assert "人工服务" in d.heard() or "agent" in d.heard()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_answer_to_the_menu_says_goodbye(case: Case) -> None:
    d = to_message(case).silence().silence()
    assert outcome(d) == "heard" and "请拨打95598" in d.heard() and d.kinds()[-1] is c.Hangup


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize(
    "verdict", ["machine", "unknown", "machine_end_beep", "fax", "MACHINE", "NOTSURE"]
)
def test_a_machine_hears_a_neutral_message_then_1_proves_a_person(case: Case, verdict: str) -> None:
    d = dial(case, answered_by=verdict)
    heard = d.heard()
    assert heard.endswith("如需收听，请按1。") and neutral(heard), heard
    assert outcome(d) == "machine" and d.kinds()[-1] is c.Gather
    d.press("1")
    assert outcome(d) == ("answered" if case.identity else "heard")
    if case.identity:
        assert "请输入您户号的后4位数字" in d.heard() and debt_free(d.heard())
        d.press("0012")
    assert all(text in d.heard() for text in case.zh)
    d.press(case.confirm[0])
    assert outcome(d) == ("heard" if len(case.confirm) > 1 else "confirmed")


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_machine_nobody_answers_for_hears_nothing_but_the_neutral_message(
    case: Case, lang: str
) -> None:
    d = dial(case, lang, answered_by="machine").silence().press("5")
    assert outcome(d) == "machine" and d.kinds()[-1] is c.Hangup
    assert neutral(everything(d)), everything(d)
    assert "95598" in d.heard()


@pytest.mark.parametrize("verdict", [None, "", "human", "HUMAN"])
def test_absent_or_human_verdict_is_a_person(verdict: str | None) -> None:
    d = dial(BY_TYPE[T.BILL_REMINDER], **({} if verdict is None else {"answered_by": verdict}))
    assert "256元8角" in d.heard() and outcome(d) == "heard"


@pytest.mark.parametrize("case", [x for x in CASES if x.identity], ids=lambda x: x.type.value)
def test_no_debt_is_spoken_without_the_last_4_digits_of_the_account(case: Case) -> None:
    d = dial(case).press("9999").press("1234").silence()
    assert outcome(d) == "identity_failed" and d.session.vars["identity"] == "failed"
    assert "未能核实您的身份" in d.heard() and d.kinds()[-1] is c.Hangup
    assert debt_free(everything(d)), everything(d)


def test_the_identity_check_records_no_more_than_the_last_4_digits() -> None:
    d = dial(BY_TYPE[T.ARREARS_REMINDER], account_no="3300004321").press("4321")
    assert c.InputTaken("ask", digits="4321") in d.last
    assert d.session.vars["identity"] == "verified"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_in_english_no_chinese_is_heard(case: Case) -> None:
    d = to_message(case, "en-US")
    assert all(text in d.heard() for text in case.en), d.heard()
    assert "Press 1" in d.heard() and "9 to stop these calls" in d.heard()
    for key in case.confirm:
        d.press(key)
    assert outcome(d) == "confirmed"
    assert not CHINESE.search(everything(d)), everything(d)
    assert {x.language for x in d.commands if isinstance(x, c.Say)} == {"en-US"}


@pytest.mark.parametrize(
    ("kind", "zh", "en"),
    [
        ("planned", "因计划检修（10kV线路改造），将于", "Because of planned maintenance"),
        ("temporary", "因临时检修（10kV线路改造），将于", "Because of temporary maintenance"),
        (
            "fault",
            "因10kV线路改造，自3月10日8点整起停电，抢修人员正在处理",
            "There is an unplanned power outage in the area of your account ending in 0 0 1 2, "
            "since March 10 at 8:00 AM",
        ),
    ],
)
def test_the_outage_notice_words_planned_temporary_and_fault_outages(
    kind: str, zh: str, en: str
) -> None:
    case = BY_TYPE[T.OUTAGE_NOTICE]
    assert zh in dial(case, outage_kind=kind).heard()
    assert en in dial(case, "en-US", outage_kind=kind).heard()


@pytest.mark.parametrize(("rating", "sorry"), [("5", False), ("2", True)])
def test_the_satisfaction_callback_keeps_the_rating(rating: str, sorry: bool) -> None:
    d = dial(BY_TYPE[T.SATISFACTION_CALLBACK]).press("1")
    assert "非常满意请按5" in d.heard()
    d.press(rating)
    assert d.session.vars["satisfaction"] == int(rating) and outcome(d) == "confirmed"
    assert c.InputTaken("rate", digits=rating, survey=int(rating)) in d.commands
    assert ("将尽快安排专人与您联系" in d.heard()) is sorry


def test_the_shipped_flows_load_from_subdirectories() -> None:
    files = default_flow_files()
    assert FLOWS_DIR / "outbound" / "re-notice.yaml" in files
    flows = load_flows(files)
    assert {t.value for t in CampaignType} <= set(flows)


def test_two_files_with_one_flow_name_are_refused(tmp_path: Path) -> None:
    flow = "name: same\nentry: a\nlanguages: [zh-CN]\nprompts: {p: {zh-CN: 好}}\n"
    flow += "nodes:\n  a: {type: say, prompt: p}\n"
    (tmp_path / "a.yaml").write_text(flow, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_text(flow, encoding="utf-8")
    with pytest.raises(FlowError) as err:
        load_flows(default_flow_files(tmp_path))
    assert err.value.problems == [
        f"{tmp_path / 'sub' / 'b.yaml'}:-: flow name 'same' is also the name of "
        f"{tmp_path / 'a.yaml'}"
    ]
