"use strict";
// The operations console (after ops-lists.js): campaigns with progress bars and their
// actions, a new campaign from a type template with a target preview and the gate's dry
// run, and the selected campaign's live progress from the console socket (/ops/ws), its
// abandon cap and the pacing in force from /pacing ("—" when it cannot be read) and its chart
// (progress.svg).
const TYPES = {
  "outage-notice": { target: "outage:", sms: true },
  "restoration-notice": { target: "outage-callers:", sms: true },
  "etr-update": { target: "outage:", sms: true },
  "bill-reminder": { target: "bills-due:7" },
  "low-balance": { target: "balance-below:20" },
  "zero-balance": { target: "balance-below:0.01" },
  "arrears-reminder": { target: "arrears-over:30", window: ["09:00", "18:00"] },
  "disconnection-notice": { target: "arrears-over:30", window: ["09:00", "18:00"] },
  "re-notice": { target: "arrears-over:30", window: ["09:00", "18:00"] },
  "satisfaction-callback": { target: "ticket:", mode: "automated" },
};
const MODES = ["automated", "press-1", "preview", "progressive", "predictive"];
const GATEWAYS = ["simulated", "twilio", "asterisk"];
const VERBS = { draft: ["start", "cancel"], running: ["pause", "cancel"], paused: ["resume", "cancel"] };
const live = { progress: {}, socket: null, pacingAt: 0, chartAt: 0, refused: false };
const pct = (x) => (x === null || x === undefined ? I18N.t("none") : (x * 100).toFixed(1) + "%");
const $ = (id) => document.getElementById(id);

function finishedOf(c) {
  const p = live.progress[c.id];
  return p ? [p.finished, p.targets] : [null, null];
}

function progressBar(c) {
  const [done, total] = finishedOf(c);
  return CC.el("progress", null, { max: String(total || 1), value: String(done || 0), "data-progress": c.id });
}

function renderCampaigns() {
  OPS.fill("#campaigns", OPS.campaigns.map((c) => {
    const [done, total] = finishedOf(c);
    const actions = CC.el("span");
    for (const verb of VERBS[c.state] || []) {
      actions.append(OPS.button(verb, () => act(c.id, verb), { "data-verb": verb }));
    }
    const name = CC.el("a", c.name, { href: "#detail" });
    name.onclick = () => select(c.id);
    return OPS.row([c.id, name, I18N.label("campaign_type", c.type), I18N.label("campaign_mode", c.mode),
      I18N.label("campaign_state", c.state), progressBar(c), done === null ? "" : `${done} / ${total}`, actions],
    { "data-campaign": c.id, "data-state": c.state });
  }));
}

async function loadCampaigns() {
  OPS.campaigns = (await CC.api("GET", "/api/campaigns")).campaigns;
  for (const c of OPS.campaigns) {
    if (!live.progress[c.id] && c.state !== "draft") {
      const s = await CC.api("GET", `/api/campaigns/${c.id}`);
      const finished = Object.values(s.results).concat(Object.values(s.refused)).reduce((a, b) => a + b, 0);
      live.progress[c.id] = { ...s, finished, campaign_id: c.id, state: c.state };
    }
  }
  renderCampaigns();
  if (OPS.selected) OPS.selected = OPS.campaigns.find((c) => c.id === OPS.selected.id) || null;
}

async function act(id, verb) {
  await CC.api("POST", `/api/campaigns/${id}/${verb}`);
  await loadCampaigns();
  if (OPS.selected && OPS.selected.id === id) await select(id);
}

function form() {
  const v = (id) => $(id).value.trim();
  const body = { type: v("f-type"), target: v("f-target"), gateway: v("f-gateway"), mode: v("f-mode"),
    priority: Number(v("f-priority") || 0), max_attempts: Number(v("f-max-attempts") || 3), sms: $("f-sms").checked };
  if (v("f-name")) body.name = v("f-name");
  if (v("f-queue")) body.queue = v("f-queue");
  if (v("f-window-start") && v("f-window-end")) body.window = { start: v("f-window-start"), end: v("f-window-end") };
  if (v("f-start-at")) body.start_at = v("f-start-at");  // local time at the utility
  if (v("f-end-at")) body.end_at = v("f-end-at");
  return body;
}

function applyTemplate() {
  const t = TYPES[$("f-type").value] || {};
  $("f-target").value = t.target || "";
  $("f-sms").checked = Boolean(t.sms);
  $("f-mode").value = t.mode || "automated";
  [$("f-window-start").value, $("f-window-end").value] = t.window || ["", ""];
  $("preview").hidden = true;
  live.preview = null;
  $("create-button").disabled = true;
}

async function preview() {
  const b = form();
  const body = { type: b.type, target: b.target, sample: 10, ...(b.window ? { window: b.window } : {}) };
  live.preview = await CC.api("POST", "/api/campaigns/preview-gate", body);
  renderPreview();
  $("create-button").disabled = false;
}

function renderPreview() {
  const found = live.preview;
  if (!found) return;
  $("preview").hidden = false;
  $("preview-count").textContent = found.count;
  const refused = Object.values(found.refusals).reduce((a, n) => a + n, 0);
  $("preview-checked").textContent = I18N.t("checked_of", { checked: found.checked, limit: found.limit, refused });
  OPS.fill("#preview-refusals", Object.entries(found.refusals).map(([r, n]) =>
    OPS.row([I18N.label("refusal", r), n], { "data-reason": r })));
  OPS.fill("#preview-sample", found.sample.map((s) => OPS.row([s.account_no, s.phone, s.area,
    I18N.t(s.vulnerable ? "yes" : "no")])));
}

async function create() {
  const created = await CC.api("POST", "/api/campaigns", form());
  $("create-button").disabled = true;
  await loadCampaigns();
  await select(created.id);
}

function table(selector, kind, counts) {
  OPS.fill(selector, Object.entries(counts || {}).map(([k, n]) => OPS.row([I18N.label(kind, k), n], { "data-code": k })));
}

function renderDetail() {
  const c = OPS.selected;
  if (!c) return;
  const p = live.progress[c.id] || {};
  $("detail").hidden = false;
  $("detail-name").textContent = c.name;
  $("detail-state").textContent = I18N.label("campaign_state", p.state || c.state);
  $("detail-state").dataset.state = p.state || c.state;
  $("fig-targets").textContent = p.targets ?? "";
  $("fig-finished").textContent = p.finished ?? "";
  $("fig-dial-rate").textContent = p.dial_rate_per_minute ?? I18N.t("none");
  $("fig-answer-rate").textContent = pct(p.answer_rate);
  $("fig-updated").textContent = p.at ? I18N.clock(p.at) : "";
  table("#results", "result", p.results);
  table("#refused", "refusal", p.refused);
  table("#waiting", "waiting", p.waiting);
  const pacing = live.pacing;
  $("fig-abandon-rate").textContent = pct(pacing ? pacing.abandon_rate : p.abandon_rate);
  $("fig-abandon-cap").textContent = pacing ? pct(pacing.abandon_cap) : I18N.t("none");
  $("fig-pacing").textContent = pacing ? I18N.label("campaign_mode", pacing.pacing) + (pacing.reason ? " (" + pacing.reason + ")" : "") : I18N.t("none");
  $("fig-pacing").dataset.pacing = pacing ? pacing.pacing : "";
}

async function pacing(id) {
  try { live.pacing = await CC.api("GET", `/api/campaigns/${id}/pacing`); } catch (err) {
    if (err.status !== 404) throw err;
    live.pacing = null;  // not available on this server: shown as "—"
  }
}

async function chart(id) {
  const resp = await fetch(`/api/campaigns/${id}/progress.svg?minutes=60&lang=${I18N.lang}`,
    { headers: { Authorization: "Bearer " + CC.token } });
  if (!resp.ok) return;
  const img = $("chart");
  const old = img.src;
  img.src = URL.createObjectURL(await resp.blob());
  if (old.startsWith("blob:")) URL.revokeObjectURL(old);
}

async function select(id) {
  OPS.selected = OPS.campaigns.find((c) => c.id === id) || null;
  if (!OPS.selected) return;
  await pacing(id);
  renderDetail();
  await Promise.all([chart(id), OPS.attempts()]);
}

async function onProgress(p) {
  const known = live.progress[p.campaign_id];
  live.progress[p.campaign_id] = p;
  const c = OPS.campaigns.find((x) => x.id === p.campaign_id);
  if (!c || c.state !== p.state || !known) await loadCampaigns(); else renderCampaigns();
  if (!OPS.selected || OPS.selected.id !== p.campaign_id) return;
  const now = Date.now();
  if (now - live.pacingAt > 5000) { live.pacingAt = now; await pacing(p.campaign_id); }
  renderDetail();
  if (now - live.chartAt > 5000 || p.state === "completed") { live.chartAt = now; await chart(p.campaign_id); }
  if (p.state === "completed") await OPS.attempts();
}

function liveText(key) {
  $("live").dataset.i18n = key;  // I18N.apply re-words it on a language switch
  $("live").textContent = I18N.t(key);
}

function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ops/ws");
  live.socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: CC.token }));
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === "ready") liveText("live_on");
    if (msg.type === "campaign_progress") OPS.guard(() => onProgress(msg));
  };
  ws.onclose = (ev) => {
    liveText("live_off");
    if (ev.code !== 4401 && ev.code !== 4403 && !live.refused) setTimeout(connect, 2000);
  };
}

function refuse() {
  live.refused = true;
  $("console").hidden = true;
  $("refusal").hidden = false;
  $("refusal-text").textContent = I18N.t("ops_refused", { role: I18N.label("role_as", CC.user && CC.user.role) });
}

function setUpForm() {
  OPS.options($("f-type"), "campaign_type", Object.keys(TYPES));
  OPS.options($("f-gateway"), "gateway", GATEWAYS);
  OPS.options($("f-mode"), "campaign_mode", MODES);
  OPS.options($("a-state"), "attempt_state", ["pending", "claimed", "sending", "placed", "done"], "any");
  OPS.options($("a-result"), "result", Object.keys(CC_LABELS[I18N.lang].result), "any");
}

$("f-type").onchange = applyTemplate;
$("f-target").oninput = () => { $("create-button").disabled = true; };
$("preview-button").onclick = () => OPS.guard(preview);
$("create-form").addEventListener("submit", (ev) => { ev.preventDefault(); OPS.guard(create); });
$("refusal-sign-out").onclick = async () => {
  await CC.api("POST", "/api/auth/logout").catch(() => null);
  CC.signOut();
};
I18N.onChange(() => {
  if (live.refused) { refuse(); return; }
  setUpForm();
  if ($("console").hidden) return;  // not signed in yet
  renderCampaigns();
  renderDetail();
  renderPreview();
  OPS.guard(async () => {
    await OPS.lists();
    if (OPS.selected) await Promise.all([chart(OPS.selected.id), OPS.attempts()]);
  });
});

setUpForm();
applyTemplate();
CC.signIn(() => {
  if (!(I18N.boot.roles || []).includes(CC.user.role)) { refuse(); return; }
  $("console").hidden = false;
  OPS.guard(async () => {
    await loadCampaigns();
    await OPS.lists();
  });
  connect();
});
