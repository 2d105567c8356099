"use strict";
// The wallboard: live figures per queue and per agent from /api/stats/realtime.
const pct = (x) => (x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%");
const num = (x) => (x === null || x === undefined ? "—" : Number(x).toFixed(1));

function cells(tr, values) { for (const v of values) tr.append(CC.el("td", v)); return tr; }

async function refresh() {
  let data;
  try { data = await CC.api("GET", "/api/stats/realtime"); } catch (err) {
    if (err.status === 401) CC.signOut();
    return;
  }
  document.getElementById("updated").textContent = new Date(data.at_ms).toLocaleTimeString();
  const qb = document.querySelector("#queues tbody");
  qb.replaceChildren();
  for (const q of data.queues) {
    const agents = Object.entries(q.agents).map(([s, n]) => s + ":" + n).join(" ");
    qb.append(cells(CC.el("tr", null, { "data-queue": q.queue }), [q.queue, q.waiting, q.longest_wait_seconds,
      q.answered, pct(q.service_level) + " (" + q.service_level_seconds + " s)",
      num(q.average_speed_of_answer_seconds), pct(q.abandon_rate), q.short_abandoned, agents]));
  }
  const ab = document.querySelector("#agents tbody");
  ab.replaceChildren();
  for (const a of data.agents) {
    if (a.state === "logged_out") continue;
    ab.append(cells(CC.el("tr", null, { "data-agent": a.agent_id }), [a.name, a.state, a.reason || "",
      a.seconds_in_state === null ? "" : a.seconds_in_state, a.call_id || ""]));
  }
  const dl = document.getElementById("definitions");
  dl.replaceChildren();
  for (const [k, v] of Object.entries(data.definitions)) dl.append(CC.el("dt", k), CC.el("dd", v));
}

CC.signIn(() => {
  document.getElementById("board").hidden = false;
  refresh();
  setInterval(refresh, 2000);
});
