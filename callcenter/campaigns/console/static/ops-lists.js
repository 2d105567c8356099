"use strict";
// The console's lists (after common.js): a campaign's attempts with filters and the CSV
// export, opt-outs, area suspensions, arrears sequences waiting for approval, outages with
// the notice campaigns they started. Every server text goes in with textContent.
const OPS = {
  campaigns: [],
  selected: null,

  row(values, attrs) {
    const tr = CC.el("tr", null, attrs);
    for (const v of values) {
      const td = CC.el("td", v instanceof Node ? null : v);
      if (v instanceof Node) td.append(v);
      tr.append(td);
    }
    return tr;
  },
  button(key, onClick, attrs) {
    const b = CC.el("button", I18N.t(key), { type: "button", "data-i18n": key, ...(attrs || {}) });
    b.onclick = () => OPS.guard(onClick);
    return b;
  },
  fill(selector, rows) { document.querySelector(selector + " tbody").replaceChildren(...rows); },
  options(select, kind, codes, anyKey) {
    const keep = select.value;
    select.replaceChildren();
    if (anyKey) select.append(new Option(I18N.t(anyKey), ""));
    for (const c of codes) select.append(new Option(I18N.label(kind, c), c));
    if (keep && codes.includes(keep)) select.value = keep;
  },
  async guard(fn) {
    const error = document.getElementById("error");
    error.textContent = "";
    try { await fn(); } catch (err) {
      if (err.status === 401) CC.signOut();
      error.textContent = err.message;
    }
  },

  async attempts() {
    const c = OPS.selected;
    if (!c) return;
    const q = new URLSearchParams({ limit: "100" });
    const filters = { state: "a-state", result: "a-result", phone: "a-phone" };
    for (const [name, id] of Object.entries(filters)) {
      const v = document.getElementById(id).value.trim();
      if (v) q.set(name, v);
    }
    // datetime-local without a zone: the API takes it as local time at the utility, as shown
    for (const [name, id] of [["since", "a-since"], ["until", "a-until"]]) {
      const v = document.getElementById(id).value;
      if (v) q.set(name, v);
    }
    const page = await CC.api("GET", `/api/campaigns/${c.id}/attempts?${q}`);
    document.getElementById("attempt-total").textContent = page.total;
    OPS.fill("#attempts", page.attempts.map((a) => OPS.row([a.id, a.account_no, a.phone, a.attempt_no,
      I18N.label("attempt_state", a.state), I18N.label("result", a.result), I18N.label("refusal", a.reason),
      I18N.time(a.updated_at)], { "data-attempt": a.id })));
  },

  async exportCsv() {
    const c = OPS.selected;
    const resp = await fetch(`/api/campaigns/${c.id}/attempts.csv`, { headers: { Authorization: "Bearer " + CC.token } });
    if (!resp.ok) throw new Error(resp.statusText);
    const link = CC.el("a", null, { href: URL.createObjectURL(await resp.blob()), download: `campaign-${c.id}-attempts.csv` });
    link.click();
    URL.revokeObjectURL(link.href);
  },

  async optOuts() {
    const data = await CC.api("GET", "/api/opt-outs?limit=100");
    OPS.fill("#opt-outs", data.opt_outs.map((o) => OPS.row([o.phone, o.source, I18N.time(o.at),
      OPS.button("remove", async () => {
        await CC.api("DELETE", "/api/opt-outs/" + encodeURIComponent(o.phone));
        await OPS.optOuts();
      })], { "data-phone": o.phone })));
  },

  async suspensions() {
    const data = await CC.api("GET", "/api/area-suspensions");
    OPS.fill("#suspensions", data.suspensions.map((s) => OPS.row([s.area, s.reason, I18N.time(s.from_at),
      I18N.time(s.until), OPS.button("lift", async () => {
        await CC.api("POST", `/api/area-suspensions/${s.id}/end`);
        await OPS.suspensions();
      })], { "data-suspension": s.id })));
  },

  async approvals() {
    const data = await CC.api("GET", "/api/arrears-approvals");
    const step = (s, body) => async () => {
      await CC.api("POST", `/api/arrears/${s.account_id}/steps`, body);
      await OPS.approvals();
    };
    OPS.fill("#approvals", data.sequences.map((s) => {
      const actions = CC.el("span");
      actions.append(OPS.button("approve", step(s, { step: "approved" })),
        OPS.button("reject", step(s, { step: "withdrawn", note: I18N.t("reject_note") })));
      return OPS.row([s.account_no, s.customer_name, I18N.label("customer_class", s.customer_class),
        I18N.money(s.arrears), I18N.time(s.overdue_since), actions], { "data-account": s.account_id });
    }));
  },

  async outages() {
    const data = await CC.api("GET", "/api/outages");
    OPS.fill("#outages", data.outages.map((o) => {
      const notices = OPS.campaigns.filter((c) => c.target === "outage:" + o.id)
        .map((c) => `#${c.id} ${c.name} (${I18N.label("campaign_state", c.state)})`);
      return OPS.row([o.id, I18N.label("outage_kind", o.kind), I18N.label("outage_status", o.status), o.area,
        I18N.time(o.start_at), notices.join(I18N.t("list_sep")) || I18N.t("none")], { "data-outage": o.id });
    }));
  },

  async lists() {
    await Promise.all([OPS.optOuts(), OPS.suspensions(), OPS.approvals(), OPS.outages()]);
  },
};

document.getElementById("attempt-filters").addEventListener("submit", (ev) => {
  ev.preventDefault();
  OPS.guard(OPS.attempts);
});
document.getElementById("export").onclick = () => OPS.guard(OPS.exportCsv);
document.getElementById("opt-out-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  OPS.guard(async () => {
    await CC.api("POST", "/api/opt-outs", { phone: document.getElementById("opt-out-phone").value.trim(), source: "console" });
    await OPS.optOuts();
  });
});
document.getElementById("suspension-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  OPS.guard(async () => {
    await CC.api("POST", "/api/area-suspensions", {
      area: document.getElementById("suspension-area").value.trim(),
      reason: document.getElementById("suspension-reason").value.trim(),
    });
    await OPS.suspensions();
  });
});
