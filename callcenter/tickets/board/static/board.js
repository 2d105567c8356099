"use strict";
// The ticket board: open tickets from /api/tickets (overdue first), filtered and paged, each
// with a live countdown to its due time on the server's clock, its SLA level, escalation and
// urges; the SLA tiles on top; a click shows the ticket's history and milestones. Polls every
// few seconds. A role the board is not for (agents, operators) is told so.
const POLL_MS = 5000;
const FINISHED = ["closed", "cancelled"];
const board = { boot: I18N.boot, offset: 0, total: 0, items: null, selected: null, detail: null, refused: false, timers: [], seq: 0 };
const $ = (id) => document.getElementById(id);

function span(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
  return (d ? I18N.t("days", { n: d }) : "") + hms;
}

function tickTimers() {
  const now = SLA_TILES.now();
  for (const td of document.querySelectorAll("#tickets td.timer[data-due]")) {
    const left = Date.parse(td.dataset.due) - now;
    td.classList.toggle("late", left < 0);
    td.textContent = I18N.t(left < 0 ? "overdue_by" : "due_in", { span: span(left) });
  }
}

// A date (yyyy-mm-dd) at midnight in the server's time zone, as ISO with its offset.
function zoneMidnight(date) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: I18N.zone(), timeZoneName: "longOffset" })
    .formatToParts(new Date(date + "T12:00:00Z"));
  const name = parts.find((p) => p.type === "timeZoneName").value;
  return date + "T00:00:00" + (name === "GMT" ? "+00:00" : name.slice(3));
}

function nextDay(date) {
  const d = new Date(date + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function query() {
  const q = new URLSearchParams();
  const open = board.boot.statuses.filter((s) => !FINISHED.includes(s));
  q.set("status", $("f-status").value || open.join(","));
  const fields = { type: "f-type", area: "f-area", assignee_team: "f-team", text: "f-text" };
  for (const [name, id] of Object.entries(fields)) if ($(id).value.trim()) q.set(name, $(id).value.trim());
  if ($("f-overdue").checked) q.set("overdue", "true");
  if ($("f-from").value) q.set("created_from", zoneMidnight($("f-from").value));
  if ($("f-to").value) q.set("created_to", zoneMidnight(nextDay($("f-to").value)));
  q.set("limit", board.boot.page_size);
  q.set("offset", board.offset);
  return q.toString();
}

function assignee(t) {
  const who = [t.assignee_team, t.assignee_user_id ? I18N.t("user_n", { id: t.assignee_user_id }) : ""];
  return who.filter(Boolean).join(" / ");
}

function row(t) {
  const tr = CC.el("tr", null, { "data-ticket": t.id, "data-number": t.number, "data-overdue": String(t.overdue), "data-sla": t.sla_state });
  if (t.id === board.selected) tr.classList.add("selected");
  const customer = [t.customer_id ? I18N.t("customer_n", { id: t.customer_id }) : "", t.area || "", I18N.label("area_class", t.area_class)];
  const timer = CC.el("td", I18N.t("no_due"), { class: "timer" });
  if (t.due_at) timer.dataset.due = t.due_at;
  const badge = CC.el("td");
  badge.append(CC.el("span", I18N.label("sla_state", t.sla_state), { class: "badge", "data-sla": t.sla_state }));
  tr.append(CC.el("td", t.number), CC.el("td", I18N.label("ticket_type", t.type) + (t.subtype ? " / " + t.subtype : "")),
    CC.el("td", I18N.label("ticket_status", t.status)), CC.el("td", customer.filter(Boolean).join(" · ")),
    CC.el("td", assignee(t)), CC.el("td", I18N.time(t.created_at)), CC.el("td", I18N.time(t.due_at)), timer, badge,
    CC.el("td", t.escalation_level ? I18N.t("level_n", { n: t.escalation_level }) : "0", { class: "escalation" }),
    CC.el("td", t.urge_count, { class: "urges" }));
  tr.onclick = () => { board.selected = t.id; showDetail(); render(); };
  return tr;
}

// The summary per team; a click on a team filters the list by it.
function renderTeams() {
  const teams = SLA_TILES.data ? SLA_TILES.data.teams : [];
  document.querySelector("#sla-teams tbody").replaceChildren(...teams.map((t) => {
    const tr = CC.el("tr", null, { "data-team": t.team || "" });
    tr.append(CC.el("td", t.team || I18N.t("no_team")));
    for (const kind of SLA_TILES.KINDS) tr.append(CC.el("td", t[kind], { "data-tile": kind }));
    if (t.team) tr.onclick = () => { $("f-team").value = t.team; board.offset = 0; refresh(); };
    return tr;
  }));
  $("teams").replaceChildren(...teams.filter((t) => t.team).map((t) => CC.el("option", null, { value: t.team })));
}

function render() {
  $("board").hidden = false;
  $("updated").textContent = I18N.clock(SLA_TILES.now());
  SLA_TILES.render($("sla-tiles"));
  const body = document.querySelector("#tickets tbody");
  body.replaceChildren(...board.items.map(row));
  if (!board.items.length) {
    body.append(CC.el("tr", null, { class: "empty" }));
    body.lastChild.append(CC.el("td", I18N.t("no_tickets"), { colspan: "11" }));
  }
  const size = board.boot.page_size;
  const pages = Math.max(1, Math.ceil(board.total / size));
  $("page-info").textContent = I18N.t("page_info", { page: Math.floor(board.offset / size) + 1, pages, total: board.total });
  $("prev").disabled = board.offset === 0;
  $("next").disabled = board.offset + size >= board.total;
  renderTeams();
  tickTimers();
  renderDetail();
}

function details(data) {
  return Object.entries(data || {}).filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => k + ": " + (typeof v === "object" ? JSON.stringify(v) : v)).join("; ");
}

function renderDetail() {
  const t = board.detail;
  $("detail").hidden = !t;
  if (!t) return;
  $("detail-number").textContent = t.number;
  $("detail-summary").textContent = t.summary;
  $("detail-milestones-box").hidden = !t.milestones.length;
  $("detail-milestones").querySelector("tbody").replaceChildren(...t.milestones.map((m) => {
    const tr = CC.el("tr", null, { "data-milestone": m.milestone });
    tr.append(CC.el("td", I18N.label("milestone", m.milestone)), CC.el("td", I18N.time(m.due_at)), CC.el("td", I18N.time(m.at)));
    return tr;
  }));
  $("detail-events").querySelector("tbody").replaceChildren(...t.events.map((e) => {
    const tr = CC.el("tr", null, { "data-event": e.type });
    const actor = e.actor + (e.actor_role ? " (" + I18N.label("role", e.actor_role) + ")" : "");
    tr.append(CC.el("td", I18N.time(e.at)), CC.el("td", I18N.label("ticket_event", e.type)), CC.el("td", actor), CC.el("td", details(e.data)));
    return tr;
  }));
}

async function showDetail() {
  if (board.selected === null) return;
  try { board.detail = await CC.api("GET", "/api/tickets/" + board.selected); } catch (err) {
    $("error").textContent = err.message;
    return;
  }
  renderDetail();
}

function refuse() {
  board.refused = true;
  for (const t of board.timers) clearInterval(t);
  $("board").hidden = true;
  $("refusal").hidden = false;
  $("refusal-text").textContent = I18N.t("board_refused", { role: I18N.label("role_as", CC.user && CC.user.role) });
}

// A poll answered after a newer request (a filter applied meanwhile) is dropped.
async function refresh() {
  const seq = ++board.seq;
  try {
    await SLA_TILES.load();
    const page = await CC.api("GET", "/api/tickets?" + query());
    if (seq !== board.seq) return;
    Object.assign(board, { items: page.items, total: page.total });
    $("error").textContent = "";
  } catch (err) {
    if (err.status === 401) CC.signOut();
    else if (err.status === 403) refuse();
    else $("error").textContent = err.message;
    return;
  }
  render();
  if (board.selected !== null) showDetail();
}

function fill(select, kind, codes) {
  for (const code of codes) select.append(CC.el("option", null, { value: code, "data-label": kind }));
}

fill($("f-status"), "ticket_status", board.boot.statuses.filter((s) => !FINISHED.includes(s)));
fill($("f-type"), "ticket_type", board.boot.types);
I18N.apply($("filters"));
$("filters").addEventListener("submit", (ev) => { ev.preventDefault(); board.offset = 0; refresh(); });
$("f-clear").onclick = () => { $("filters").reset(); board.offset = 0; refresh(); };
$("prev").onclick = () => { board.offset = Math.max(0, board.offset - board.boot.page_size); refresh(); };
$("next").onclick = () => { board.offset += board.boot.page_size; refresh(); };
$("detail-close").onclick = () => { board.selected = null; board.detail = null; render(); };
$("refusal-sign-out").onclick = async () => {
  await CC.api("POST", "/api/auth/logout").catch(() => null);
  CC.signOut();
};
I18N.onChange(() => { if (board.refused) refuse(); else if (board.items) render(); }); // items: once loaded

CC.signIn(() => {
  if (!board.boot.roles.includes(CC.user.role)) { refuse(); return; }
  board.timers.push(setInterval(refresh, POLL_MS), setInterval(tickTimers, 1000));
  refresh();
});
