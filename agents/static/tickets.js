"use strict";
// The desk's ticket form (issue 15): during or after a call, one form opens a ticket from
// the call (type and sub-type from the policy pack's taxonomy, a summary; the customer,
// account and service point from the pop; the call linked) or updates one of the caller's
// open tickets (status, a comment, this call attached). Its words are in i18n.js.
const TICKETS = {
  taxonomy: { types: [] },
  STATUSES: ["accepted", "in_progress", "awaiting_customer", "resolved", "reopened", "cancelled"],

  async load() {
    TICKETS.taxonomy = await CC.api("GET", "/api/tickets/taxonomy");
    TICKETS.redraw(null);
  },

  name(term) { return I18N.lang === "zh-CN" ? term.name_zh : term.name_en; },

  options(select, items, keep) {
    const kept = keep ? select.value : "";
    select.replaceChildren(...items.map(([value, text]) => new Option(text, value)));
    if (items.some(([value]) => value === kept)) select.value = kept;
  },

  fillSubtypes() {
    const kind = TICKETS.taxonomy.types.find((t) => t.code === $("ticket-type").value);
    const subtypes = (kind && kind.subtypes) || [];
    TICKETS.options($("ticket-subtype"), [["", I18N.t("no_subtype")], ...subtypes.map((s) => [s.code, TICKETS.name(s)])], true);
    $("ticket-subtype").hidden = subtypes.length === 0;
  },

  // The customer and account the pop identified (the first one), or nothing.
  caller(call) {
    const c = call && call.pop && call.pop.customers && call.pop.customers[0];
    return c ? { customer: c, account: (c.accounts || [])[0] } : null;
  },

  ticketLine(t) {
    const flag = t.call_no ? " · " + I18N.t("urge_short") : "";
    return t.number + " " + I18N.label("ticket_type", t.type) + " (" + I18N.label("ticket_status", t.status) + ")" + flag;
  },

  // Redraw the form for the current call (the pop, the language) keeping what was chosen.
  redraw(call) {
    TICKETS.options($("ticket-type"), TICKETS.taxonomy.types.map((t) => [t.code, I18N.label("ticket_type", t.code)]), true);
    TICKETS.fillSubtypes();
    TICKETS.options($("ticket-status"), [["", I18N.t("ticket_status_keep")], ...TICKETS.STATUSES.map((s) => [s, I18N.label("ticket_status", s)])], true);
    const who = TICKETS.caller(call);
    const open = who ? who.customer.open_tickets || [] : [];
    TICKETS.options($("ticket-target"), [["", I18N.t("ticket_new")], ...open.map((t) => [String(t.id), TICKETS.ticketLine(t)])], true);
    $("ticket-for").textContent = who ? I18N.t("ticket_for", { name: who.customer.name, account: who.account ? who.account.account_no : "—" }) : I18N.t("unidentified");
    TICKETS.toggle();
  },

  toggle() {
    const updating = $("ticket-target").value !== "";
    $("ticket-new-fields").hidden = updating;
    $("ticket-update-fields").hidden = !updating;
  },

  reset() {
    for (const id of ["ticket-summary", "ticket-comment"]) $(id).value = "";
    $("ticket-target").value = "";
    $("ticket-status").value = "";
    $("ticket-attach").checked = true;
    $("ticket-result").textContent = "";
    TICKETS.toggle();
  },

  async create(call) {
    const who = TICKETS.caller(call);
    const body = { type: $("ticket-type").value, summary: $("ticket-summary").value.trim() || I18N.t("default_summary"), call_id: call.id, channel: "desk" };
    if ($("ticket-subtype").value) body.subtype = $("ticket-subtype").value;
    if (who) body.customer_id = who.customer.id;
    if (who && who.account) {
      if (who.account.id) body.account_id = who.account.id;
      if (who.account.service_point) body.service_point_id = who.account.service_point.id;
    }
    const t = await CC.api("POST", "/api/tickets", body);
    return I18N.t(t.attached ? "ticket_attached" : "ticket_created", { number: t.number });
  },

  async update(call, id) {
    const path = "/api/tickets/" + encodeURIComponent(id);
    const comment = $("ticket-comment").value.trim();
    let t = null;
    if ($("ticket-attach").checked) t = await CC.api("POST", path + "/calls", { call_id: call.id });
    if (comment) t = await CC.api("POST", path + "/comments", { text: comment });
    if ($("ticket-status").value) t = await CC.api("PATCH", path, { status: $("ticket-status").value });
    if (!t) throw new Error(I18N.t("ticket_nothing"));
    return I18N.t("ticket_updated", { number: t.number });
  },

  wire(act, current) {
    $("ticket-type").addEventListener("change", TICKETS.fillSubtypes);
    $("ticket-target").addEventListener("change", TICKETS.toggle);
    $("ticket-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      act(async () => {
        const call = current();
        if (!call) return;
        const target = $("ticket-target").value;
        const done = target ? await TICKETS.update(call, target) : await TICKETS.create(call);
        TICKETS.reset();
        $("ticket-result").textContent = done;
      });
    });
  },
};
