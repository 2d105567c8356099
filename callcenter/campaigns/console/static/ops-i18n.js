"use strict";
// The console's words in zh-CN and en-US, merged into the desk's tables (i18n.js, loaded
// first): the page's own texts (ui) and the labels of the campaign codes the server sends.
const OPS_LABELS = {
  "zh-CN": {
    ui: {
      ops_title: "外呼运营控制台",
      ops_refused: "运营控制台仅供运营人员、值班长和管理员使用；您当前以{role}身份登录。",
      campaigns: "外呼任务", campaign: "任务", campaign_id: "编号", campaign_name: "名称",
      campaign_type: "类型", campaign_mode: "外呼方式", campaign_state: "状态", progress: "进度",
      counts: "完成 / 目标", actions: "操作", new_campaign: "新建外呼任务", target: "目标查询",
      gateway: "线路", priority: "优先级", max_attempts: "最多呼叫次数", window_start: "每日开始", window_end: "每日结束",
      start_at: "计划开始", end_at: "计划结束", sms: "同时发送短信", preview: "预览目标",
      create_campaign: "创建任务", target_count: "目标数量：", count: "数量",
      checked_of: "合规检查：前 {limit} 个目标中检查了 {checked} 个，今日将拦截 {refused} 个",
      refusal_reason: "拦截原因", account_no: "户号", phone: "电话", area: "区域",
      vulnerable: "特殊关怀", yes: "是", no: "否", targets: "目标", finished: "已完成",
      dial_rate: "拨号速率（次/分）", answer_rate: "接通率", abandon_cap: "放弃率上限",
      pacing: "节奏", result: "结果", waiting_for: "等待", attempts: "呼叫记录",
      attempt_state: "呼叫状态", filter_since: "起始时间", filter_until: "截止时间", filter: "筛选",
      export_csv: "导出 CSV", total: "合计", attempt_id: "编号", attempt_no: "次数",
      start: "启动", pause: "暂停", resume: "恢复", cancel: "取消", any: "全部",
      opt_outs: "拒绝外呼名单", source: "来源", since_time: "时间", add: "添加", remove: "移除",
      area_suspensions: "区域暂停", suspend: "暂停外呼", lift: "解除", from_time: "开始", until_time: "结束",
      arrears_approvals: "待审批的欠费停电流程", customer: "客户", overdue_since: "逾期自",
      approve: "批准", reject: "驳回", outages: "停电事件", outage: "停电", outage_kind: "类型",
      outage_status: "状态", notice_campaigns: "停电通知任务", none: "—",
      reject_note: "控制台驳回", live_on: "● 实时", live_off: "○ 未连接",
    },
    campaign_type: {
      "outage-notice": "停电通知", "restoration-notice": "复电通知", "etr-update": "预计复电时间更新",
      "bill-reminder": "电费提醒", "low-balance": "余额不足提醒", "zero-balance": "余额为零通知",
      "arrears-reminder": "欠费催交", "disconnection-notice": "停电催费通知", "re-notice": "停电前再次通知",
      "satisfaction-callback": "满意度回访",
    },
    campaign_state: { draft: "草稿", running: "进行中", paused: "已暂停", completed: "已完成", cancelled: "已取消" },
    campaign_mode: {
      automated: "自动语音", "press-1": "按键转人工", preview: "预览外呼", progressive: "渐进式", predictive: "预测式",
    },
    gateway: { simulated: "模拟线路", twilio: "Twilio", asterisk: "Asterisk" },
    attempt_state: { pending: "待拨", claimed: "已领取", sending: "发送中", placed: "已呼出", done: "已完成" },
    result: {
      confirmed: "已确认", answered: "已接听", machine: "语音信箱", busy: "忙", no_answer: "无应答",
      failed: "失败", refused: "拦截", uncertain: "待核实", opted_out: "拒收", abandoned: "放弃", skipped: "跳过",
    },
    refusal: {
      "outside-window": "不在呼叫时段", "opted-out": "已拒绝外呼", "daily-cap": "超过每日次数",
      "monthly-cap": "超过 30 日次数", "arrears-unanswered-cap": "欠费未接次数已满", "area-suspended": "区域暂停",
      vulnerable: "特殊关怀客户", "disputed-bill": "账单有争议", holiday: "法定节假日", sequence: "不符合停电程序",
    },
    waiting: { due: "待拨", "retry-later": "稍后重试", claimed: "已领取", sending: "发送中", placed: "通话中" },
  },
  "en-US": {
    ui: {
      ops_title: "Outbound operations console",
      ops_refused: "The console is for operators, supervisors and administrators; you are signed in as {role}.",
      campaigns: "Campaigns", campaign: "Campaign", campaign_id: "No.", campaign_name: "Name",
      campaign_type: "Type", campaign_mode: "Dialing mode", campaign_state: "State", progress: "Progress",
      counts: "Finished / targets", actions: "Actions", new_campaign: "New campaign", target: "Target query",
      gateway: "Gateway", priority: "Priority", max_attempts: "Attempts at most", window_start: "Daily start", window_end: "Daily end",
      start_at: "Starts at", end_at: "Ends at", sms: "Also send a text", preview: "Preview targets",
      create_campaign: "Create campaign", target_count: "Targets:", count: "Count",
      checked_of: "Compliance check: {checked} checked of the first {limit}; {refused} would be refused today",
      refusal_reason: "Refusal reason", account_no: "Account", phone: "Phone", area: "Area",
      vulnerable: "Vulnerable", yes: "yes", no: "no", targets: "Targets", finished: "Finished",
      dial_rate: "Dial rate (per minute)", answer_rate: "Answer rate", abandon_cap: "Abandon cap",
      pacing: "Pacing", result: "Result", waiting_for: "Waiting", attempts: "Attempts",
      attempt_state: "Attempt state", filter_since: "Since", filter_until: "Until", filter: "Filter",
      export_csv: "Export CSV", total: "Total", attempt_id: "No.", attempt_no: "Try",
      start: "Start", pause: "Pause", resume: "Resume", cancel: "Cancel", any: "Any",
      opt_outs: "Opt-outs (do not call)", source: "Source", since_time: "Since", add: "Add", remove: "Remove",
      area_suspensions: "Area suspensions", suspend: "Suspend", lift: "Lift", from_time: "From", until_time: "Until",
      arrears_approvals: "Arrears sequences waiting for approval", customer: "Customer", overdue_since: "Overdue since",
      approve: "Approve", reject: "Reject", outages: "Outages", outage: "Outage", outage_kind: "Kind",
      outage_status: "Status", notice_campaigns: "Notice campaigns", none: "—",
      reject_note: "rejected on the console", live_on: "● live", live_off: "○ not connected",
    },
    campaign_type: {
      "outage-notice": "Outage notice", "restoration-notice": "Restoration notice", "etr-update": "Restoration time update",
      "bill-reminder": "Bill reminder", "low-balance": "Low balance", "zero-balance": "Zero balance",
      "arrears-reminder": "Arrears reminder", "disconnection-notice": "Disconnection notice", "re-notice": "Re-notice",
      "satisfaction-callback": "Satisfaction callback",
    },
    campaign_state: { draft: "Draft", running: "Running", paused: "Paused", completed: "Completed", cancelled: "Cancelled" },
    campaign_mode: {
      automated: "Automated message", "press-1": "Press 1 for an agent", preview: "Preview", progressive: "Progressive", predictive: "Predictive",
    },
    gateway: { simulated: "Simulated", twilio: "Twilio", asterisk: "Asterisk" },
    attempt_state: { pending: "Pending", claimed: "Claimed", sending: "Sending", placed: "Placed", done: "Done" },
    result: {
      confirmed: "Confirmed", answered: "Answered", machine: "Machine", busy: "Busy", no_answer: "No answer",
      failed: "Failed", refused: "Refused", uncertain: "Uncertain", opted_out: "Opted out", abandoned: "Abandoned", skipped: "Skipped",
    },
    refusal: {
      "outside-window": "Outside the calling hours", "opted-out": "Opted out", "daily-cap": "Daily cap reached",
      "monthly-cap": "30-day cap reached", "arrears-unanswered-cap": "Unanswered arrears cap", "area-suspended": "Area suspended",
      vulnerable: "Vulnerable customer", "disputed-bill": "Disputed bill", holiday: "Public holiday", sequence: "Not allowed by the procedure",
    },
    waiting: { due: "Due", "retry-later": "Retry later", claimed: "Claimed", sending: "Sending", placed: "In call" },
  },
};

for (const [lang, tables] of Object.entries(OPS_LABELS)) {
  for (const [kind, table] of Object.entries(tables)) {
    CC_LABELS[lang][kind] = { ...(CC_LABELS[lang][kind] || {}), ...table };
  }
}
I18N.setLang(I18N.lang, false);
