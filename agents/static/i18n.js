"use strict";
// Every word the desk and the wallboard show, in zh-CN and en-US: the page's own texts (ui)
// and the labels of the codes the server sends (agent states, customer class, ticket types…),
// plus local times in the server's time zone and money in yuan. A code without a label
// shows as itself. The page's bootstrap JSON gives the time zone and the languages.
const CC_LABELS = {
  "zh-CN": {
    ui: {
      language_name: "中文", language: "语言", time_zone: "时区 {zone}",
      desk_title: "坐席工作台", wallboard_title: "监控大屏",
      username: "用户名", password: "密码", sign_in: "登录", sign_in_failed: "登录失败",
      sign_in_again: "退出并重新登录",
      wallboard_refused: "监控大屏仅供值班长、运营和管理员使用；您当前以{role}身份登录。",
      state: "状态", since: "自 {time} 起", until: "（至 {time}）",
      go_ready: "就绪", go_not_ready: "未就绪", log_out: "退出", online: "● 在线", offline: "○ 已断开", reconnecting: "○ 重新连接中",
      call: "来电", accept: "接听", decline: "拒接", hang_up: "挂断", transfer: "转接",
      new_ticket: "创建工单", summary: "摘要", create: "创建", default_summary: "坐席受理",
      wrap_up: "话后处理", notes: "备注", wrap_up_done: "完成",
      seconds: "{n} 秒", offer_withdrawn: "来电已撤回：{reason}",
      caller: "来电号码", queue: "队列", waited: "等待", waited_since: "{n} 秒（{time} 起排队）",
      callback: "回电", callback_text: "客户已挂机，请回拨", transferred_by: "转接自坐席",
      ivr_path: "IVR 路径", keyed: "按键", no_key: "（未按键）", unidentified: "未识别的来电",
      customer_class: "客户类别", important_grade: "重要用户", account_manager: "客户经理",
      vulnerable: "特殊关怀", list_sep: "、",
      account_no: "户号", service_address: "用电地址", tariff: "电价类别", payment_mode: "缴费方式",
      supply: "供电状态", credit: "信用等级", score: "（{n} 分）", prepaid_balance: "预付余额",
      arrears: "欠费", late_fee: "违约金（截至 {date}）", total_due: "合计应缴", outage: "停电",
      outage_line: "{kind}（{status}）{area}：{cause}；{start} 起，预计 {end} 恢复",
      unknown_time: "时间未定", open_tickets: "在途工单", ticket_due: "（时限 {due}）",
      recent_calls: "近期来电",
      updated: "更新于", waiting: "排队", longest_wait: "最长等待（秒）", answered: "接通",
      service_level: "服务水平", asa: "平均应答（秒）", abandon_rate: "放弃率",
      short_abandons: "短放弃", agents_by_state: "坐席状态", agent: "坐席", reason: "原因",
      time_in_state: "持续（秒）",
    },
    state: {
      logged_out: "已退出", ready: "就绪", not_ready: "未就绪", reserved: "振铃中",
      on_call: "通话中", wrap_up: "话后处理",
    },
    reason: {
      break: "小休", meal: "用餐", training: "培训", "after-call": "话后整理",
      "no-answer": "未接听", system: "系统置为", device: "话机未就绪",
      "desk-gone": "坐席台已断开",
    },
    phase: { offer: "振铃", talking: "通话中", "wrap-up": "话后处理" },
    withdrawn: {
      abandoned: "客户已挂机", declined: "已拒接", "no-answer": "未接听", busy: "话机忙",
      failed: "呼叫失败", canceled: "已取消", "agent-left": "坐席已离开", "bridge-failed": "接续失败",
    },
    customer_class: {
      residential: "居民", non_residential_lv: "低压非居民", hv_single_source: "高压单电源",
      hv_dual_source: "高压双电源",
    },
    important_grade: { special: "特级", first: "一级", second: "二级", temporary: "临时" },
    payment_mode: { prepaid: "预付费", postpaid: "后付费" },
    credit_rating: { A: "A 级（良好）", B: "B 级（一般）", C: "C 级（较差）" },
    vulnerable: { life_support: "生命维持设备", elderly_alone: "独居老人" },
    account_status: { active: "正常供电", disconnected_arrears: "欠费停电", closed: "已销户" },
    area_class: { urban: "城市", rural: "农村", remote: "偏远地区" },
    outage_kind: { fault: "故障停电", planned: "计划停电", temporary: "临时停电" },
    outage_status: { scheduled: "待停电", active: "停电中", restored: "已恢复", cancelled: "已取消" },
    ticket_type: {
      fault_repair: "故障报修", consultation: "业务咨询", service_request: "服务申请",
      complaint: "投诉", report: "举报", opinion: "意见", suggestion: "建议", praise: "表扬",
    },
    ticket_status: {
      open: "待处理", dispatched: "已派工", in_progress: "处理中", awaiting_callback: "待回访",
      closed: "已归档", cancelled: "已取消",
      accepted: "已受理", awaiting_customer: "待客户响应", resolved: "已办结", reopened: "重新处理",
    },
    direction: { inbound: "呼入", outbound: "呼出" },
    call_state: {
      ringing: "振铃", ivr: "语音导航", queued: "排队", offered: "分配坐席", talking: "通话中",
      wrap_up: "话后处理", ended: "已结束", abandoned: "放弃", failed: "失败", voicemail: "留言",
    },
    disposition: {
      resolved: "已解决", "ticket-created": "已建工单", "callback-needed": "需回访",
      transferred: "已转接", other: "其他", "no-disposition": "未填处理结果",
    },
    queue: {
      general: "综合服务", fault: "故障报修", billing: "电费缴费", complaint: "投诉举报",
      business: "业务办理", emergency: "紧急抢修", priority: "重要客户", english: "英语服务",
    },
    figure: {
      service_level: "服务水平", average_speed_of_answer_seconds: "平均应答时长",
      abandon_rate: "放弃率", short_abandoned: "短放弃",
    },
    definition: {
      service_level: "队列规定秒数内接通 /（接通 + 放弃 − 短放弃），自本地零点起",
      average_speed_of_answer_seconds: "已接通来电的等待总时长 / 接通数",
      abandon_rate: "（放弃 − 短放弃）/（接通 + 放弃 − 短放弃）",
      short_abandoned: "在队列的短放弃时限内挂机的来电",
    },
    role: { agent: "坐席", supervisor: "值班长", operator: "运营", admin: "管理员" },
    role_as: { agent: "坐席", supervisor: "值班长", operator: "运营人员", admin: "管理员" },
    ivr_node: {
      greeting: "问候", language: "语言选择", english: "英文服务", identify: "来电识别",
      choose_account: "选择户号", pick_account: "核对户号选择", take_account: "选定户号",
      ask_account: "输入户号", lookup_account: "查询户号", count_unknown: "户号错误计数",
      too_many_unknown: "户号错误过多", account_unknown: "户号不存在", check_outage: "查询停电",
      outage_announce: "停电播报", outage_menu: "停电菜单", outage_report: "停电报修",
      outage_reported: "报修已受理", notify_restore: "登记复电通知", notify_registered: "已登记复电通知",
      route_customer: "客户分流", vulnerable_menu: "特殊关怀菜单", main_menu: "主菜单",
      fault_menu: "故障报修菜单", describe_fault: "描述故障", hazard_words: "险情识别",
      fault_ticket: "故障工单", fault_reported: "故障已受理", outage_query: "停电查询",
      no_outage: "无停电信息", hazard: "险情", bill_lookup: "电费查询", bill_kind: "缴费方式分流",
      bill_prepaid: "预付费余额", bill_postpaid: "后付费账单", bill_unknown: "账单不详",
      bill_menu: "电费菜单", payment_channels: "缴费渠道", agent_emergency: "转紧急抢修坐席",
      agent_priority: "转重要客户坐席", to_manager: "转客户经理", agent_general: "转人工",
      agent_chinese: "转中文坐席", agent_english: "转英语坐席", agent_fault: "转故障报修坐席",
      agent_billing: "转电费坐席", agent_business: "转业务坐席", agent_complaint: "转投诉坐席",
      survey: "满意度调查", goodbye: "结束",
      // issue 17 (lookup): the database could not answer a look-up
      unavailable_general: "无法查询·转人工或主菜单", unavailable_fault: "无法查询·转故障坐席或主菜单",
      unavailable_billing: "无法查询·转电费坐席或主菜单",
    },
  },
  "en-US": {
    ui: {
      language_name: "English", language: "Language", time_zone: "Time zone {zone}",
      desk_title: "Agent desk", wallboard_title: "Wallboard",
      username: "Username", password: "Password", sign_in: "Sign in", sign_in_failed: "Sign-in failed",
      sign_in_again: "Sign out and sign in again",
      wallboard_refused: "The wallboard is for supervisors, operators and administrators; you are signed in as {role}.",
      state: "State", since: "since {time}", until: "(until {time})",
      go_ready: "Ready", go_not_ready: "Not ready", log_out: "Log out", online: "● online", offline: "○ offline", reconnecting: "○ reconnecting",
      call: "Call", accept: "Accept", decline: "Decline", hang_up: "Hang up", transfer: "Transfer",
      new_ticket: "New ticket", summary: "Summary", create: "Create", default_summary: "Taken by the agent",
      wrap_up: "Wrap-up", notes: "Notes", wrap_up_done: "Wrap-up done",
      seconds: "{n} s", offer_withdrawn: "The offer was withdrawn: {reason}",
      caller: "Caller", queue: "Queue", waited: "Waited", waited_since: "{n} s (queued at {time})",
      callback: "Callback", callback_text: "The caller hung up and asked to be called back",
      transferred_by: "Transferred by agent", ivr_path: "IVR path", keyed: "Keyed", no_key: "(no key)",
      unidentified: "Unidentified caller",
      customer_class: "Class", important_grade: "Important user", account_manager: "Account manager",
      vulnerable: "Vulnerable", list_sep: ", ",
      account_no: "Account", service_address: "Service address", tariff: "Tariff", payment_mode: "Payment",
      supply: "Supply", credit: "Credit rating", score: " (score {n})", prepaid_balance: "Prepaid balance",
      arrears: "Arrears", late_fee: "Late fee to {date}", total_due: "Total due", outage: "Outage",
      outage_line: "{kind} ({status}) {area}: {cause}; from {start}, restoration expected {end}",
      unknown_time: "not known", open_tickets: "Open tickets", ticket_due: " (due {due})",
      recent_calls: "Last calls",
      updated: "Updated", waiting: "Waiting", longest_wait: "Longest wait (s)", answered: "Answered",
      service_level: "Service level", asa: "ASA (s)", abandon_rate: "Abandon rate",
      short_abandons: "Short abandons", agents_by_state: "Agents by state", agent: "Agent", reason: "Reason",
      time_in_state: "Time in state (s)",
    },
    state: {
      logged_out: "Logged out", ready: "Ready", not_ready: "Not ready", reserved: "Offered",
      on_call: "On call", wrap_up: "Wrap-up",
    },
    reason: {
      break: "Break", meal: "Meal", training: "Training", "after-call": "After-call work",
      "no-answer": "Missed a call", system: "Set by the system", device: "Phone not ready",
      "desk-gone": "Desk closed",
    },
    phase: { offer: "offered", talking: "in progress", "wrap-up": "in wrap-up" },
    withdrawn: {
      abandoned: "the caller hung up", declined: "you declined it", "no-answer": "not answered",
      busy: "the phone was busy", failed: "the call failed", canceled: "cancelled",
      "agent-left": "the agent left", "bridge-failed": "could not connect",
    },
    customer_class: {
      residential: "Residential", non_residential_lv: "Non-residential (low voltage)",
      hv_single_source: "High voltage, single source", hv_dual_source: "High voltage, dual source",
    },
    important_grade: { special: "Special grade", first: "Grade 1", second: "Grade 2", temporary: "Temporary" },
    payment_mode: { prepaid: "Prepaid", postpaid: "Postpaid" },
    credit_rating: { A: "A (good)", B: "B (fair)", C: "C (poor)" },
    vulnerable: { life_support: "Life-support equipment", elderly_alone: "Elderly, living alone" },
    account_status: { active: "Supplied", disconnected_arrears: "Disconnected for arrears", closed: "Closed" },
    area_class: { urban: "Urban", rural: "Rural", remote: "Remote" },
    outage_kind: { fault: "Fault outage", planned: "Planned outage", temporary: "Temporary outage" },
    outage_status: { scheduled: "Scheduled", active: "In progress", restored: "Restored", cancelled: "Cancelled" },
    ticket_type: {
      fault_repair: "Fault repair", consultation: "Consultation", service_request: "Service request",
      complaint: "Complaint", report: "Report", opinion: "Opinion", suggestion: "Suggestion", praise: "Praise",
    },
    ticket_status: {
      open: "Open", dispatched: "Dispatched", in_progress: "In progress",
      awaiting_callback: "Awaiting callback", closed: "Closed", cancelled: "Cancelled",
      accepted: "Accepted", awaiting_customer: "Awaiting customer", resolved: "Resolved", reopened: "Reopened",
    },
    direction: { inbound: "Inbound", outbound: "Outbound" },
    call_state: {
      ringing: "Ringing", ivr: "In the IVR", queued: "Queued", offered: "Offered", talking: "Talking",
      wrap_up: "Wrap-up", ended: "Ended", abandoned: "Abandoned", failed: "Failed", voicemail: "Voicemail",
    },
    disposition: {
      resolved: "Resolved", "ticket-created": "Ticket created", "callback-needed": "Callback needed",
      transferred: "Transferred", other: "Other", "no-disposition": "No disposition",
    },
    queue: {
      general: "General", fault: "Fault repair", billing: "Billing", complaint: "Complaints",
      business: "Business", emergency: "Emergency", priority: "Priority (VIP)", english: "English",
    },
    figure: {
      service_level: "Service level", average_speed_of_answer_seconds: "Average speed of answer",
      abandon_rate: "Abandon rate", short_abandoned: "Short abandons",
    },
    definition: {
      service_level: "answered within the queue's seconds / (answered + abandoned − short abandons), since local midnight",
      average_speed_of_answer_seconds: "total wait of answered calls / answered calls",
      abandon_rate: "(abandoned − short abandons) / (answered + abandoned − short abandons)",
      short_abandoned: "callers who hung up within the queue's short-abandon time",
    },
    role: { agent: "Agent", supervisor: "Supervisor", operator: "Operator", admin: "Administrator" },
    role_as: { agent: "an agent", supervisor: "a supervisor", operator: "an operator", admin: "an administrator" },
    ivr_node: {
      greeting: "Greeting", language: "Language choice", english: "English chosen", identify: "Caller identification",
      choose_account: "Choose an account", pick_account: "Account choice", take_account: "Account chosen",
      ask_account: "Key the account number", lookup_account: "Account look-up", count_unknown: "Unknown account count",
      too_many_unknown: "Too many unknown accounts", account_unknown: "Unknown account", check_outage: "Outage check",
      outage_announce: "Outage announcement", outage_menu: "Outage menu", outage_report: "Outage report",
      outage_reported: "Outage reported", notify_restore: "Restoration notice", notify_registered: "Notice registered",
      route_customer: "Caller routing", vulnerable_menu: "Priority-care menu", main_menu: "Main menu",
      fault_menu: "Fault menu", describe_fault: "Fault description", hazard_words: "Hazard check",
      fault_ticket: "Fault ticket", fault_reported: "Fault reported", outage_query: "Outage query",
      no_outage: "No outage known", hazard: "Hazard", bill_lookup: "Bill look-up", bill_kind: "Payment mode",
      bill_prepaid: "Prepaid balance", bill_postpaid: "Postpaid bill", bill_unknown: "Bill not known",
      bill_menu: "Bill menu", payment_channels: "Ways to pay", agent_emergency: "To emergency agents",
      agent_priority: "To priority agents", to_manager: "To the account manager", agent_general: "To an agent",
      agent_chinese: "To Chinese-speaking agents", agent_english: "To English-speaking agents",
      agent_fault: "To fault agents", agent_billing: "To billing agents", agent_business: "To business agents",
      agent_complaint: "To complaint agents", survey: "Satisfaction survey", goodbye: "Goodbye",
      // issue 17 (lookup): the database could not answer a look-up
      unavailable_general: "Look-up unavailable: agent or menu",
      unavailable_fault: "Look-up unavailable: fault agents or menu",
      unavailable_billing: "Look-up unavailable: billing agents or menu",
    },
  },
};

// --- 催办 and the desk's ticket form (issue 15, urges): their words, merged into CC_LABELS
const TICKET_FORM_LABELS = {
  "zh-CN": {
    ui: {
      urge_flag: "催办：第{nth}次来电催办工单 {number}", urge_short: "本次来电催办", urge_count: "催办 {n} 次",
      ticket_form: "工单", ticket_target: "办理", ticket_new: "新建工单", no_subtype: "（无子类）",
      ticket_for: "客户：{name}，户号 {account}", ticket_status_keep: "状态不变", ticket_comment: "处理意见",
      ticket_attach: "关联本次来电", ticket_save: "提交", ticket_created: "已创建工单 {number}",
      ticket_attached: "已并入在途工单 {number}", ticket_updated: "已更新工单 {number}",
      ticket_nothing: "请选择状态、填写处理意见或关联本次来电",
    },
    sla_state: { ok: "正常", warn70: "时限已过70%", warn80: "时限已过80%", warn90: "时限已过90%", breached: "已超时" },
  },
  "en-US": {
    ui: {
      urge_flag: "Urge: {nth} call about ticket {number}", urge_short: "urged by this call", urge_count: "urged {n}×",
      ticket_form: "Ticket", ticket_target: "Work on", ticket_new: "New ticket", no_subtype: "(no sub-type)",
      ticket_for: "Customer: {name}, account {account}", ticket_status_keep: "Status unchanged", ticket_comment: "Comment",
      ticket_attach: "Attach this call", ticket_save: "Save", ticket_created: "Ticket {number} created",
      ticket_attached: "Added to open ticket {number}", ticket_updated: "Ticket {number} updated",
      ticket_nothing: "Choose a status, write a comment or attach this call",
    },
    sla_state: { ok: "on time", warn70: "70% of the time used", warn80: "80% of the time used", warn90: "90% of the time used", breached: "overdue" },
  },
};
for (const [lang, kinds] of Object.entries(TICKET_FORM_LABELS)) {
  for (const [kind, table] of Object.entries(kinds)) CC_LABELS[lang][kind] = { ...(CC_LABELS[lang][kind] || {}), ...table };
}

const I18N = {
  boot: JSON.parse((document.getElementById("cc-bootstrap") || {}).textContent || "{}"),
  lang: "zh-CN",
  listeners: [],
  formats: {},

  languages() { return (I18N.boot.languages || ["zh-CN"]).filter((l) => Object.hasOwn(CC_LABELS, l)); },
  zone() { return I18N.boot.timezone || "Asia/Shanghai"; },

  t(key, params) {
    const text = CC_LABELS[I18N.lang].ui[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (all, name) => (params && name in params ? String(params[name]) : all));
  },

  label(kind, code) {
    if (code === null || code === undefined || code === "") return "";
    const table = CC_LABELS[I18N.lang][kind] || {};
    return Object.hasOwn(table, code) ? table[code] : String(code);
  },

  parts(value, options) {
    const at = typeof value === "number" ? new Date(value) : new Date(Date.parse(value));
    if (Number.isNaN(at.getTime())) return null;
    const key = JSON.stringify(options);
    I18N.formats[key] ||= new Intl.DateTimeFormat("en-US",
      { timeZone: I18N.zone(), hourCycle: "h23", ...options });
    return Object.fromEntries(I18N.formats[key].formatToParts(at).map((p) => [p.type, p.value]));
  },

  // A moment (ISO string or epoch ms) as "2026-03-10 12:00" in the server's time zone.
  time(value) {
    if (value === null || value === undefined || value === "") return "";
    const p = I18N.parts(value, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    return p ? p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute : String(value);
  },

  // A moment as "12:00:05" in the server's time zone.
  clock(value) {
    if (value === null || value === undefined || value === "") return "";
    const p = I18N.parts(value, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return p ? p.hour + ":" + p.minute + ":" + p.second : String(value);
  },

  // A decimal string in yuan as "¥1,234.50" (both languages), rounded half up to the fen.
  money(value) {
    if (value === null || value === undefined || value === "") return "";
    const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(String(value).trim());
    if (!m) return String(value);
    const digits = (m[3] || "") + "000";
    let fen = BigInt(m[2]) * 100n + BigInt(digits.slice(0, 2));
    if (Number(digits[2]) >= 5) fen += 1n;
    const yuan = (fen / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (m[1] && fen !== 0n ? "-" : "") + "¥" + yuan + "." + (fen % 100n).toString().padStart(2, "0");
  },

  apply(root) {
    const scope = root || document;
    for (const el of scope.querySelectorAll("[data-i18n]")) el.textContent = I18N.t(el.dataset.i18n);
    for (const el of scope.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = I18N.t(el.dataset.i18nPlaceholder);
    for (const el of scope.querySelectorAll("[data-label]")) {
      el.textContent = I18N.label(el.dataset.label, el.tagName === "OPTION" ? el.value : el.dataset.code);
    }
  },

  setLang(lang, remember) {
    if (!I18N.languages().includes(lang)) return;
    I18N.lang = lang;
    if (remember) localStorage.setItem("cc-lang", lang);
    document.documentElement.lang = lang;
    I18N.apply();
    const zone = document.getElementById("zone");
    if (zone) zone.textContent = I18N.t("time_zone", { zone: I18N.zone() });
    const choice = document.getElementById("lang");
    if (choice) choice.value = lang;
    for (const fn of I18N.listeners) fn();
  },

  // The agent's language, unless this browser chose one: the first page language they speak.
  useAgentLanguages(spoken) {
    if (I18N.languages().includes(localStorage.getItem("cc-lang"))) return;
    const lang = I18N.languages().find((l) => (spoken || []).includes(l));
    if (lang) I18N.setLang(lang, false);
  },

  onChange(fn) { I18N.listeners.push(fn); },

  init() {
    const choice = document.getElementById("lang");
    if (choice) {
      for (const l of I18N.languages()) choice.append(new Option(CC_LABELS[l].ui.language_name, l));
      choice.addEventListener("change", () => I18N.setLang(choice.value, true));
    }
    const stored = localStorage.getItem("cc-lang");
    const langs = I18N.languages();
    I18N.setLang(langs.includes(stored) ? stored : langs.includes(I18N.boot.language) ? I18N.boot.language : langs[0], false);
  },
};

I18N.init();
