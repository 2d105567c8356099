"use strict";
// The screen-pop: the caller's profile exactly as the server sends it, shown with labels
// instead of codes, local times and money in yuan (i18n.js), inserted as text only.
const POP = {
  row(dl, key, value, params) {
    if (value === undefined || value === null || value === "") return;
    dl.append(CC.el("dt", I18N.t(key, params)), CC.el("dd", value));
  },

  list(items) { return items.filter((x) => x).join(I18N.t("list_sep")); },

  head(pop) {
    const dl = CC.el("dl", null, { class: "call-head" });
    POP.row(dl, "caller", pop.caller);
    POP.row(dl, "queue", I18N.label("queue", pop.queue));
    if (pop.queued_at) {
      const waited = Math.max(0, Math.round((Date.now() - Date.parse(pop.queued_at)) / 1000));
      POP.row(dl, "waited", I18N.t("waited_since", { n: waited, time: I18N.clock(pop.queued_at) }));
    }
    if (pop.callback) POP.row(dl, "callback", I18N.t("callback_text"));
    if (pop.transferred_by) POP.row(dl, "transferred_by", "#" + pop.transferred_by);
    POP.row(dl, "ivr_path", (pop.ivr_path || []).map((n) => I18N.label("ivr_node", n)).join(" › "));
    const keyed = (pop.keyed || []).map((k) => I18N.label("ivr_node", k.node) + " = " + (k.digits || k.speech || I18N.t("no_key")));
    POP.row(dl, "keyed", POP.list(keyed));
    return dl;
  },

  outage(o) {
    return I18N.t("outage_line", {
      kind: I18N.label("outage_kind", o.kind), status: I18N.label("outage_status", o.status),
      area: o.area, cause: o.cause, start: I18N.time(o.start_at),
      end: o.estimated_restoration_at ? I18N.time(o.estimated_restoration_at) : I18N.t("unknown_time"),
    });
  },

  account(a, asOf) {
    const dl = CC.el("dl", null, { class: "account" });
    const sp = a.service_point || {};
    POP.row(dl, "account_no", a.account_no);
    POP.row(dl, "service_address", sp.address && sp.address + (sp.area_class ? " (" + I18N.label("area_class", sp.area_class) + ")" : ""));
    POP.row(dl, "tariff", a.tariff_class);
    POP.row(dl, "payment_mode", I18N.label("payment_mode", a.payment_mode));
    POP.row(dl, "supply", I18N.label("account_status", a.status));
    POP.row(dl, "credit", I18N.label("credit_rating", a.credit_rating) + I18N.t("score", { n: a.credit_score }));
    POP.row(dl, "prepaid_balance", I18N.money(a.prepaid_balance));
    const due = a.arrears || {};
    POP.row(dl, "arrears", I18N.money(due.arrears));
    POP.row(dl, "late_fee", I18N.money(due.fee), { date: asOf || "" });
    POP.row(dl, "total_due", I18N.money(due.total_due));
    for (const o of a.outages || []) POP.row(dl, "outage", POP.outage(o));
    return dl;
  },

  items(card, heading, cls, lines) {
    if (lines.length === 0) return;
    const ul = CC.el("ul", null, { class: cls });
    for (const line of lines) ul.append(CC.el("li", line));
    card.append(CC.el("h4", I18N.t(heading)), ul);
  },

  customer(c, asOf) {
    const card = CC.el("div", null, { class: "customer" });
    card.append(CC.el("h3", c.name, { class: "customer-name" }));
    const dl = CC.el("dl");
    POP.row(dl, "customer_class", I18N.label("customer_class", c.customer_class));
    POP.row(dl, "important_grade", I18N.label("important_grade", c.important_grade));
    POP.row(dl, "account_manager", c.account_manager && c.account_manager.name);
    POP.row(dl, "vulnerable", POP.list((c.vulnerable || []).map((f) => I18N.label("vulnerable", f))));
    card.append(dl);
    for (const a of c.accounts || []) card.append(POP.account(a, asOf));
    POP.items(card, "open_tickets", "tickets", (c.open_tickets || []).map((t) =>
      [t.number, I18N.label("ticket_type", t.type), I18N.label("ticket_status", t.status), t.summary].join(" ") +
      (t.due_at ? I18N.t("ticket_due", { due: I18N.time(t.due_at) }) : "") + POP.ticketFlags(t)));
    POP.items(card, "recent_calls", "calls", (c.recent_calls || []).map((cl) =>
      [I18N.time(cl.started_at), I18N.label("direction", cl.direction),
        cl.disposition ? I18N.label("disposition", cl.disposition) : I18N.label("call_state", cl.state)].join(" ")));
    return card;
  },

  // 催办 (issue 15): how often the ticket was urged and its SLA level, when there is news.
  ticketFlags(t) {
    const flags = [];
    if (t.urge_count) flags.push(I18N.t("urge_count", { n: t.urge_count }));
    if (t.sla_state && t.sla_state !== "ok") flags.push(I18N.label("sla_state", t.sla_state));
    return flags.length ? " [" + POP.list(flags) + "]" : "";
  },

  // "2nd", "3rd", "11th" in English; the number itself in Chinese (第2次).
  ordinal(n) {
    if (I18N.lang !== "en-US") return String(n);
    const tens = n % 100, ones = n % 10;
    const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[ones] || "th");
    return n + suffix;
  },

  // The tickets this call urges: the flag above the profile.
  urges(pop) {
    const box = CC.el("div", null, { class: "urges" });
    for (const u of pop.urges || []) {
      box.append(CC.el("p", I18N.t("urge_flag", { nth: POP.ordinal(u.call_no), number: u.number }), { class: "urge" }));
    }
    return box;
  },

  render(box, pop) {
    box.replaceChildren();
    if (!pop) return;
    if (pop.campaign) box.append(CAMPAIGN.block(pop.campaign)); // an outbound campaign call
    if ((pop.urges || []).length) box.append(POP.urges(pop));
    box.append(POP.head(pop));
    if (!pop.customers || pop.customers.length === 0) {
      box.append(CC.el("p", I18N.t("unidentified"), { class: "unknown" }));
    }
    for (const c of pop.customers || []) box.append(POP.customer(c, pop.as_of));
  },
};
