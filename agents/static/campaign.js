"use strict";
// The desk's campaign side: the campaign block of an outbound pop (campaign, the reason for
// the call, the script, the target's values, the attempt) shown above the profile, and the
// disposition form of campaign calls (during the call and in wrap-up). Its words join
// CC_LABELS (i18n.js) here, in zh-CN and en-US.
const CAMPAIGN_LABELS = {
  "zh-CN": {
    ui: {
      campaign: "外呼任务", campaign_kind: "任务类型", call_reason: "外呼事由", script: "话术",
      attempt_no: "呼叫次数", campaign_outcome: "外呼结果", promise_date: "承诺缴费日期",
      promise_amount: "承诺金额（元）", call_back_at: "回拨时间", record_outcome: "记录结果",
      outcome_recorded: "已记录：{what}",
      preview_dial: "拨打", preview_skip: "跳过", skip_reason: "跳过原因", preview_dialling: "正在拨打客户…",
    },
    campaign_disposition: {
      "promise-to-pay": "承诺缴费", "already-paid": "已缴费", "wrong-number": "号码错误",
      refused: "拒绝缴费", "call-back": "预约回拨",
    },
    campaign_type: {
      "outage-notice": "停电通知", "restoration-notice": "复电通知", "etr-update": "恢复时间更新",
      "bill-reminder": "电费提醒", "low-balance": "余额不足提醒", "zero-balance": "余额为零通知",
      "arrears-reminder": "欠费催交", "disconnection-notice": "欠费停电通知", "re-notice": "停电前再通知",
      "satisfaction-callback": "工单回访",
    },
    campaign_mode: {
      automated: "自动语音", "press-1": "按键转人工", preview: "预览外呼", progressive: "渐进外呼",
      predictive: "预测外呼",
    },
    campaign_value: {
      account_no: "户号", arrears: "欠费", late_fee: "违约金", total_due: "合计应缴",
      overdue_since: "欠费起始日", as_of: "计算日期", amount_due: "应缴金额", due_date: "到期日",
      balance: "余额", threshold: "提醒阈值", outage_area: "停电区域", outage_start: "停电开始",
      outage_etr: "预计恢复", outage_cause: "停电原因", ticket_number: "工单号", days: "逾期天数",
    },
  },
  "en-US": {
    ui: {
      campaign: "Campaign", campaign_kind: "Type", call_reason: "Reason for the call", script: "Script",
      attempt_no: "Attempt", campaign_outcome: "Campaign outcome", promise_date: "Promised date",
      promise_amount: "Amount (yuan)", call_back_at: "Call back at", record_outcome: "Record",
      outcome_recorded: "Recorded: {what}",
      preview_dial: "Dial", preview_skip: "Skip", skip_reason: "Reason to skip",
      preview_dialling: "Dialling the customer…",
    },
    campaign_disposition: {
      "promise-to-pay": "Promise to pay", "already-paid": "Already paid", "wrong-number": "Wrong number",
      refused: "Refused", "call-back": "Call back",
    },
    campaign_type: {
      "outage-notice": "Outage notice", "restoration-notice": "Restoration notice",
      "etr-update": "Restoration update", "bill-reminder": "Bill reminder", "low-balance": "Low balance",
      "zero-balance": "Zero balance", "arrears-reminder": "Arrears reminder",
      "disconnection-notice": "Disconnection notice", "re-notice": "Re-notice before the cut",
      "satisfaction-callback": "Satisfaction callback",
    },
    campaign_mode: {
      automated: "Automated", "press-1": "Press 1 for an agent", preview: "Preview",
      progressive: "Progressive", predictive: "Predictive",
    },
    campaign_value: {
      account_no: "Account", arrears: "Arrears", late_fee: "Late fee", total_due: "Total due",
      overdue_since: "Overdue since", as_of: "As of", amount_due: "Amount due", due_date: "Due date",
      balance: "Balance", threshold: "Threshold", outage_area: "Outage area", outage_start: "Outage from",
      outage_etr: "Expected back", outage_cause: "Cause", ticket_number: "Ticket", days: "Days overdue",
    },
  },
};
for (const [lang, kinds] of Object.entries(CAMPAIGN_LABELS)) {
  for (const [kind, table] of Object.entries(kinds)) CC_LABELS[lang][kind] = { ...(CC_LABELS[lang][kind] || {}), ...table };
}
I18N.apply();

const CAMPAIGN = {
  money: new Set(["arrears", "late_fee", "total_due", "amount_due", "balance", "threshold", "amount"]),
  byId(id) { return document.getElementById(id); },

  block(c) {
    const box = CC.el("div", null, { class: "campaign" });
    box.append(CC.el("h3", I18N.t("campaign") + " · " + c.name, { class: "campaign-name" }));
    const dl = CC.el("dl");
    POP.row(dl, "campaign_kind", I18N.label("campaign_type", c.type) + " · " + I18N.label("campaign_mode", c.mode));
    POP.row(dl, "call_reason", (c.reason || {})[I18N.lang]);
    POP.row(dl, "script", (c.script || {})[I18N.lang]);
    POP.row(dl, "attempt_no", String(c.attempt_no));
    for (const [key, value] of Object.entries(c.values || {})) {
      dl.append(CC.el("dt", I18N.label("campaign_value", key)), CC.el("dd", CAMPAIGN.money.has(key) ? I18N.money(value) : value));
    }
    box.append(dl);
    return box;
  },

  // A previewed record reserved for the agent: dial or skip it (not accept or decline)
  // until it is dialled; then the offer rings the agent's device as any other.
  preview(call, phase) {
    const campaign = call && call.pop && call.pop.campaign;
    const open = Boolean(campaign && campaign.mode === "preview" && phase === "offer" && !call.dialled);
    CAMPAIGN.byId("preview-actions").hidden = !open;
    CAMPAIGN.byId("answer-actions").hidden = open;
  },

  // The form shows for a campaign call once it is answered (and in wrap-up).
  show(call, phase) {
    CAMPAIGN.preview(call, phase);
    const form = CAMPAIGN.byId("campaign-form");
    const campaign = call && call.pop && call.pop.campaign;
    form.hidden = !campaign || phase === "offer";
    if (campaign && form.dataset.attempt !== campaign.attempt) {
      form.dataset.attempt = campaign.attempt;
      CAMPAIGN.reset();
    }
  },

  hide() {
    const form = CAMPAIGN.byId("campaign-form");
    form.hidden = true;
    delete form.dataset.attempt;
  },

  reset() {
    for (const id of ["promise-date", "promise-amount", "call-back-at", "campaign-note"]) CAMPAIGN.byId(id).value = "";
    CAMPAIGN.byId("campaign-result").textContent = "";
    CAMPAIGN.byId("campaign-save").disabled = false;
    CAMPAIGN.fields();
  },

  fields() {
    const kind = CAMPAIGN.byId("campaign-disposition").value;
    CAMPAIGN.byId("promise-fields").hidden = kind !== "promise-to-pay";
    CAMPAIGN.byId("call-back-fields").hidden = kind !== "call-back";
  },

  body() {
    const kind = CAMPAIGN.byId("campaign-disposition").value;
    const body = { disposition: kind, note: CAMPAIGN.byId("campaign-note").value };
    if (kind === "promise-to-pay") {
      body.promise_date = CAMPAIGN.byId("promise-date").value || null;
      body.amount = CAMPAIGN.byId("promise-amount").value.trim() || null;
    }
    if (kind === "call-back") body.call_back_at = CAMPAIGN.byId("call-back-at").value || null;
    return body;
  },

  wire(act, current) {
    const previewPath = (verb) => "/api/agents/me/previews/" + encodeURIComponent(current().id) + "/" + verb;
    CAMPAIGN.byId("preview-dial").onclick = () => act(async () => {
      await CC.api("POST", previewPath("dial"));
      current().dialled = true;
      CAMPAIGN.preview(current(), "offer");
      document.getElementById("notice").textContent = I18N.t("preview_dialling");
    });
    CAMPAIGN.byId("preview-skip").onclick = () => act(() =>
      CC.api("POST", previewPath("skip"), { reason: CAMPAIGN.byId("skip-reason").value.trim() || "skipped" }));
    CAMPAIGN.byId("campaign-disposition").addEventListener("change", CAMPAIGN.fields);
    CAMPAIGN.byId("campaign-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      act(async () => {
        const key = CAMPAIGN.byId("campaign-form").dataset.attempt;
        const out = await CC.api("POST", "/api/campaigns/attempts/" + key + "/disposition", CAMPAIGN.body());
        CAMPAIGN.byId("campaign-save").disabled = true;
        const result = CAMPAIGN.byId("campaign-result");
        result.dataset.disposition = out.disposition;
        result.textContent = I18N.t("outcome_recorded", { what: I18N.label("campaign_disposition", out.disposition) });
      });
    });
    CAMPAIGN.fields();
  },
};
