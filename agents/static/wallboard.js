"use strict";
// The wallboard: live figures per queue and per agent from /api/stats/realtime, with labels
// from i18n.js. Signed in with a role the figures refuse (an agent), it says so instead.
const pct = (x) => (x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%");
const num = (x) => (x === null || x === undefined ? "—" : Number(x).toFixed(1));
const board = { data: null, refused: false, timer: null };

function cells(tr, values) { for (const v of values) tr.append(CC.el("td", v)); return tr; }

function render() {
  const data = board.data;
  document.getElementById("board").hidden = false;
  document.getElementById("updated").textContent = I18N.clock(data.at_ms);
  const qb = document.querySelector("#queues tbody");
  qb.replaceChildren();
  for (const q of data.queues) {
    const agents = Object.entries(q.agents).map(([s, n]) => I18N.label("state", s) + ": " + n).join(I18N.t("list_sep"));
    qb.append(cells(CC.el("tr", null, { "data-queue": q.queue }), [I18N.label("queue", q.queue), q.waiting,
      q.longest_wait_seconds, q.answered, pct(q.service_level) + " (" + I18N.t("seconds", { n: q.service_level_seconds }) + ")",
      num(q.average_speed_of_answer_seconds), pct(q.abandon_rate), q.short_abandoned, agents]));
  }
  const ab = document.querySelector("#agents tbody");
  ab.replaceChildren();
  for (const a of data.agents) {
    if (a.state === "logged_out") continue;
    const row = cells(CC.el("tr", null, { "data-agent": a.agent_id }), [a.name, I18N.label("state", a.state),
      I18N.label("reason", a.reason), a.seconds_in_state === null ? "" : a.seconds_in_state, a.call_id || ""]);
    ab.append(row);
    row.append(MONITOR.cell(a)); // issue 16: listen, whisper, barge
  }
  const dl = document.getElementById("definitions");
  dl.replaceChildren();
  for (const [k, v] of Object.entries(data.definitions)) {
    const said = I18N.label("definition", k);
    dl.append(CC.el("dt", I18N.label("figure", k)), CC.el("dd", said === k ? v : said));
  }
}

function refuse() {
  board.refused = true;
  clearInterval(board.timer);
  document.getElementById("board").hidden = true;
  document.getElementById("refusal").hidden = false;
  document.getElementById("refusal-text").textContent =
    I18N.t("wallboard_refused", { role: I18N.label("role_as", CC.user && CC.user.role) });
}

async function refresh() {
  try { board.data = await CC.api("GET", "/api/stats/realtime"); } catch (err) {
    if (err.status === 401) CC.signOut();
    if (err.status === 403) refuse();
    return;
  }
  render();
}

document.getElementById("refusal-sign-out").onclick = async () => {
  await CC.api("POST", "/api/auth/logout").catch(() => null);
  CC.signOut();
};
I18N.onChange(() => { if (board.refused) refuse(); else if (board.data) render(); });

CC.signIn(() => {
  board.timer = setInterval(refresh, 2000);
  refresh();
  SLA_TILES.start("sla-section", 5); // issue 15 (board): the ticket SLA tiles
});
