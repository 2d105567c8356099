"use strict";
// The ticket board's and the SLA tiles' words in zh-CN and en-US, merged into the desk's
// tables (i18n.js, loaded first): the page's own texts (ui) and the labels of the codes the
// server sends (SLA levels, milestones, ticket events).
const BOARD_LABELS = {
  "zh-CN": {
    ui: {
      board_title: "工单监控看板",
      board_refused: "工单看板仅供值班长和管理员使用；您当前以{role}身份登录。",
      f_status: "状态", all_open: "全部在途", f_type: "类型", any: "全部", f_area: "区域",
      f_team: "班组", f_overdue: "仅超时", f_text: "关键词", f_created_from: "受理起",
      f_created_to: "受理止", filter: "筛选", clear: "清除",
      number: "工单号", ticket_kind: "类型 / 子类", ticket_state: "状态", customer_area: "客户 / 区域",
      assignee: "处理人", created: "受理时间", due: "时限", sla_timer: "剩余时间", sla_level: "预警级别",
      escalation: "升级", urges: "催办", prev: "上一页", next: "下一页",
      page_info: "第 {page} / {pages} 页，共 {total} 张", no_tickets: "没有符合条件的工单",
      due_in: "剩余 {span}", overdue_by: "已超时 {span}", no_due: "—", days: "{n}天 ",
      customer_n: "客户 {id}", user_n: "#{id}", level_n: "{n} 级",
      ticket_detail: "工单详情", milestones: "节点时限", milestone: "节点", reached: "完成时间",
      history: "处理记录", at: "时间", event: "事件", actor: "操作人", details: "内容",
      close_detail: "关闭详情",
      sla_tiles: "工单时限", tile_open: "在途工单", tile_warned: "预警", tile_breached: "已超期",
      tile_overdue: "超时", tile_escalated: "已升级",
      no_team: "未分配班组",
    },
    sla_state: { ok: "正常", warn70: "预警 70%", warn80: "预警 80%", warn90: "预警 90%", breached: "已超期" },
    milestone: {
      accepted: "受理", dispatched: "派工", departed: "出发", arrived: "到达现场", restored: "恢复送电", closed: "归档",
    },
    ticket_event: {
      created: "受理", status: "状态变更", assigned: "派单", comment: "备注", call_linked: "关联来电",
      closed: "归档", milestone: "节点", repeat_report: "重复报修", urge: "催办", callback: "回访",
      warned: "时限预警", breached: "超期", escalated: "升级",
    },
  },
  "en-US": {
    ui: {
      board_title: "Ticket board",
      board_refused: "The ticket board is for supervisors and administrators; you are signed in as {role}.",
      f_status: "Status", all_open: "All open", f_type: "Type", any: "Any", f_area: "Area",
      f_team: "Team", f_overdue: "Overdue only", f_text: "Text", f_created_from: "Created from",
      f_created_to: "Created to", filter: "Filter", clear: "Clear",
      number: "Number", ticket_kind: "Type / sub-type", ticket_state: "Status", customer_area: "Customer / area",
      assignee: "Assignee", created: "Created", due: "Due", sla_timer: "SLA timer", sla_level: "SLA level",
      escalation: "Escalation", urges: "Urges", prev: "Previous", next: "Next",
      page_info: "Page {page} of {pages}, {total} tickets", no_tickets: "No ticket matches",
      due_in: "due in {span}", overdue_by: "overdue by {span}", no_due: "—", days: "{n} d ",
      customer_n: "customer {id}", user_n: "#{id}", level_n: "level {n}",
      ticket_detail: "Ticket", milestones: "Milestones", milestone: "Milestone", reached: "Reached",
      history: "History", at: "At", event: "Event", actor: "By", details: "Details",
      close_detail: "Close",
      sla_tiles: "Ticket SLAs", tile_open: "Open tickets", tile_warned: "Warned", tile_breached: "Breached",
      tile_overdue: "Overdue", tile_escalated: "Escalated",
      no_team: "No team",
    },
    sla_state: { ok: "OK", warn70: "70 % warning", warn80: "80 % warning", warn90: "90 % warning", breached: "Breached" },
    milestone: {
      accepted: "Accepted", dispatched: "Dispatched", departed: "Departed", arrived: "Arrived",
      restored: "Restored", closed: "Closed",
    },
    ticket_event: {
      created: "Opened", status: "Status", assigned: "Assigned", comment: "Comment", call_linked: "Call linked",
      closed: "Closed", milestone: "Milestone", repeat_report: "Repeat report", urge: "Urge", callback: "Callback",
      warned: "SLA warning", breached: "SLA breached", escalated: "Escalated",
    },
  },
};

for (const [lang, tables] of Object.entries(BOARD_LABELS)) {
  for (const [kind, table] of Object.entries(tables)) {
    CC_LABELS[lang][kind] = { ...(CC_LABELS[lang][kind] || {}), ...table };
  }
}
I18N.setLang(I18N.lang, false);
