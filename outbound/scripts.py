"""What the desk shows an agent on a campaign call, per campaign type and language: the reason
for the call (one line, filled from the target's values) and the script to follow. Every text
of the outbound pop lives here (zh-CN first, en-US second); a value a target lacks shows as
a dash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from outbound.models import CampaignType

T = CampaignType
LANGUAGES = ("zh-CN", "en-US")
MISSING = "—"


@dataclass(frozen=True, slots=True)
class Texts:
    """One campaign type's reason (a template over the target's values) and script."""

    reason: Mapping[str, str]
    script: Mapping[str, str]


_ARREARS_SCRIPT = {
    "zh-CN": "您好，这里是国网95598。核实户主身份后，告知欠费金额与违约金，询问缴费日期；"
    "客户承诺缴费请记录日期和金额，已缴费请记为已缴费。请勿向非户主透露欠费详情。",
    "en-US": "Hello, this is the 95598 hotline. Confirm you speak to the account holder, "
    "state the amount overdue and the late fee, and ask when they will pay; record a promise "
    "with its date and amount, or already paid. Never give debt details to anyone else.",
}

TEXTS: dict[CampaignType, Texts] = {
    T.ARREARS_REMINDER: Texts(
        {
            "zh-CN": "欠费提醒：自 {overdue_since} 起欠费 {arrears} 元，"
            "截至目前违约金 {late_fee} 元",
            "en-US": "Arrears reminder: {arrears} yuan overdue since {overdue_since}, "
            "late fee to date {late_fee}",
        },
        _ARREARS_SCRIPT,
    ),
    T.DISCONNECTION_NOTICE: Texts(
        {
            "zh-CN": "停电通知：欠费 {total_due} 元（含违约金），计划于 {cut_at} 停电",
            "en-US": "Disconnection notice: {total_due} yuan due (late fee included), "
            "supply to be cut at {cut_at}",
        },
        _ARREARS_SCRIPT,
    ),
    T.RE_NOTICE: Texts(
        {
            "zh-CN": "停电前再次通知：欠费 {total_due} 元，将于 {cut_at} 停电",
            "en-US": "Re-notice before the cut: {total_due} yuan due, supply cut at {cut_at}",
        },
        _ARREARS_SCRIPT,
    ),
    T.BILL_REMINDER: Texts(
        {
            "zh-CN": "电费提醒：{amount_due} 元将于 {due_date} 到期",
            "en-US": "Bill reminder: {amount_due} yuan due on {due_date}",
        },
        {
            "zh-CN": "告知账单金额与到期日，介绍缴费渠道；客户承诺缴费请记录日期和金额。",
            "en-US": "Give the bill's amount and due date and the ways to pay; record a "
            "promise with its date and amount.",
        },
    ),
    T.LOW_BALANCE: Texts(
        {
            "zh-CN": "余额不足：预付余额 {balance} 元，低于 {threshold} 元",
            "en-US": "Low balance: prepaid balance {balance} yuan, below {threshold}",
        },
        {
            "zh-CN": "提醒客户及时充值，介绍充值渠道。",
            "en-US": "Remind the customer to top up and give the ways to do it.",
        },
    ),
    T.ZERO_BALANCE: Texts(
        {
            "zh-CN": "余额为零：预付余额 {balance} 元，将按规定停电",
            "en-US": "Zero balance: prepaid balance {balance} yuan; supply will be cut per "
            "the rules",
        },
        {
            "zh-CN": "告知余额已用完及停电时间，请客户尽快充值。",
            "en-US": "Say the balance is used up and when supply stops; ask for a top-up soon.",
        },
    ),
    T.OUTAGE_NOTICE: Texts(
        {
            "zh-CN": "停电通知：{outage_area} {outage_start} 起停电，预计 {outage_etr} 恢复",
            "en-US": "Outage notice: {outage_area} from {outage_start}, restoration "
            "expected {outage_etr}",
        },
        {
            "zh-CN": "告知停电范围、时间和原因（{outage_cause}），提醒做好准备。",
            "en-US": "Give the area, the times and the cause ({outage_cause}) of the outage "
            "so the customer can prepare.",
        },
    ),
    T.RESTORATION_NOTICE: Texts(
        {
            "zh-CN": "复电通知：{outage_area} 已于 {restored_at} 恢复供电",
            "en-US": "Restoration notice: {outage_area} restored at {restored_at}",
        },
        {
            "zh-CN": "告知已恢复供电；如仍无电，请受理故障报修。",
            "en-US": "Say supply is restored; if the customer still has none, open a fault "
            "repair ticket.",
        },
    ),
    T.ETR_UPDATE: Texts(
        {
            "zh-CN": "恢复时间更新：{outage_area} 预计 {outage_etr} 恢复供电",
            "en-US": "Restoration update: {outage_area} now expected back at {outage_etr}",
        },
        {
            "zh-CN": "告知新的预计恢复时间并致歉。",
            "en-US": "Give the new expected restoration time and apologise.",
        },
    ),
    T.SATISFACTION_CALLBACK: Texts(
        {
            "zh-CN": "工单回访：{ticket_number}",
            "en-US": "Satisfaction callback: ticket {ticket_number}",
        },
        {
            "zh-CN": "询问问题是否解决、对服务是否满意（1-5 分），不满意请记录原因。",
            "en-US": "Ask whether the problem is solved and how satisfied the customer is "
            "(1-5); note the reason when unsatisfied.",
        },
    ),
}


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return MISSING


def reason(campaign_type: CampaignType, values: Mapping[str, str]) -> dict[str, str]:
    """The reason for the call, per language, filled from the target's `values`."""
    filled = _Values(values)
    return {lang: TEXTS[campaign_type].reason[lang].format_map(filled) for lang in LANGUAGES}


def script(campaign_type: CampaignType) -> dict[str, str]:
    """The agent's script, per language."""
    return {lang: TEXTS[campaign_type].script[lang] for lang in LANGUAGES}
