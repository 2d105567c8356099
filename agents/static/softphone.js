"use strict";
// The desk's softphone: one interface over two adapters (twiliophone.js: the Twilio Voice
// SDK; webrtcphone.js: JsSIP to Asterisk's WSS transport), chosen by the agent's device
// (GET /api/agents/me/softphone). At sign-in: the microphone, a media-path check (preflight),
// then registration. The phone panel rings in the page (answer / decline), mutes, sends DTMF
// and picks the audio devices; whenever the phone cannot take calls the desk says so plainly
// and tells the server (PUT /api/agents/me/device), which takes a ready agent out of routing.
// SIP and phone devices ring elsewhere: the panel only says which.
const PHONE = {
  adapters: {}, // kind -> factory(info, events), registered by the adapter scripts
  info: null,
  adapter: null,
  status: "off",
  problem: null,
  detail: "",
  call: null, // the ringing or answered call's handle (the adapter's)
  talking: false, // the call was answered
  muted: false,
  reported: null, // the last status sent to the server ("ready" or a problem)
  preflightResult: null, // {ok, detail} or "running"
  vendor: "/static/agents/vendor/",
};

PHONE.el = (id) => document.getElementById(id);

PHONE.loadScript = (name) => new Promise((resolve, reject) => {
  if (document.querySelector("script[data-vendor='" + name + "']")) { resolve(); return; }
  const tag = document.createElement("script");
  tag.src = PHONE.vendor + name;
  tag.dataset.vendor = name;
  tag.onload = () => resolve();
  tag.onerror = () => { tag.remove(); reject(new Error("cannot load " + name)); };
  document.head.append(tag);
});

// -- what the panel shows ---------------------------------------------------------------------

PHONE.show = function () {
  const info = PHONE.info;
  PHONE.el("phone-kind").textContent = info ? I18N.label("phone_kind", info.kind) : "";
  const status = PHONE.el("phone-status");
  status.dataset.status = PHONE.status;
  status.textContent = I18N.label("phone_status", PHONE.status);
  PHONE.el("phone-problem").textContent = PHONE.problemText();
  // A call keeps its buttons whatever happens to the registration meanwhile.
  PHONE.el("phone-ringing").hidden = !PHONE.call || PHONE.talking;
  PHONE.el("phone-from").textContent = PHONE.call && PHONE.call.from ? I18N.t("phone_from", { from: PHONE.call.from }) : "";
  PHONE.el("phone-call").hidden = !PHONE.call || !PHONE.talking;
  PHONE.el("phone-mute").textContent = I18N.t(PHONE.muted ? "phone_unmute" : "phone_mute");
  PHONE.el("phone-mute").setAttribute("aria-pressed", String(PHONE.muted));
  PHONE.el("phone-password-form").hidden = PHONE.status !== "needs-password";
  PHONE.el("phone-audio").hidden = !(PHONE.adapter && PHONE.adapter.audio);
  PHONE.el("phone-retry").hidden = PHONE.status !== "failed" || Boolean(PHONE.call); // not mid-call
  PHONE.showPreflight();
};

PHONE.problemText = function () {
  const info = PHONE.info;
  if (PHONE.status === "unconfigured") return I18N.t("phone_not_configured");
  if (PHONE.status === "elsewhere" && info) {
    return I18N.t("phone_elsewhere", { kind: I18N.label("phone_kind", info.kind), address: info.device_address });
  }
  if (PHONE.status !== "failed" && PHONE.status !== "needs-password") return "";
  const why = I18N.label("phone_problem", PHONE.problem) + (PHONE.detail ? " (" + PHONE.detail + ")" : "");
  return I18N.t("phone_not_ready", { problem: why });
};

PHONE.showPreflight = function () {
  const el = PHONE.el("phone-preflight");
  const result = PHONE.preflightResult;
  el.hidden = result === null;
  if (result === null) return;
  el.dataset.result = result === "running" ? "running" : result.ok ? "passed" : "failed";
  const text = result === "running" ? I18N.t("preflight_running")
    : result.ok ? I18N.t("preflight_passed") : I18N.t("preflight_failed", { detail: result.detail || "" });
  el.textContent = I18N.t("preflight") + ": " + text;
};

PHONE.showDevices = function () {
  const audio = PHONE.adapter && PHONE.adapter.audio;
  if (!audio) return;
  for (const [id, list, current] of [["phone-input", audio.inputs(), audio.input()], ["phone-output", audio.outputs(), audio.output()]]) {
    const select = PHONE.el(id);
    select.replaceChildren(...list.map((d) => new Option(d.label || d.id, d.id)));
    if (current) select.value = current;
  }
};

// -- status and what the server hears -----------------------------------------------------

PHONE.setStatus = function (status, problem, detail) {
  PHONE.status = status;
  PHONE.problem = problem || null;
  PHONE.detail = detail || "";
  PHONE.show();
  if (status === "ready") PHONE.report("ready");
  else if (status === "failed" || status === "needs-password") PHONE.report(problem || "registration-failed");
};

PHONE.report = async function (what, force) {
  if (!force && PHONE.reported === what) return;
  PHONE.reported = what;
  const body = what === "ready" ? { status: "ready" } : { status: "failed", problem: what };
  try {
    await CC.api("PUT", "/api/agents/me/device", body);
  } catch (err) {
    PHONE.reported = null;
    notice(err.message);
  }
};

PHONE.failing = () => PHONE.status === "failed" || PHONE.status === "needs-password";

// The agent went ready while the phone cannot take calls: the server hears it again (and
// takes them out of routing).
PHONE.agentState = function (msg) {
  if (msg.state === "ready" && PHONE.failing()) PHONE.report(PHONE.problem || "registration-failed", true);
};

// -- the events adapters raise ------------------------------------------------------------

PHONE.events = {
  failed: (problem, detail) => PHONE.setStatus("failed", problem, detail),
  needsPassword: (detail) => PHONE.setStatus("needs-password", "registration-failed", detail),
  registered: () => { if (!PHONE.call) PHONE.setStatus("ready"); },
  incoming(call) { PHONE.call = call; PHONE.talking = false; PHONE.muted = false; PHONE.setStatus("ringing"); },
  accepted() { PHONE.talking = true; PHONE.setStatus("in-call"); },
  reconnecting: () => PHONE.setStatus("reconnecting"),
  reconnected: () => PHONE.setStatus("in-call"),
  ended() {
    PHONE.call = null;
    PHONE.talking = false;
    PHONE.muted = false;
    PHONE.el("phone-digits").textContent = "";
    if (PHONE.adapter && PHONE.adapter.registered()) PHONE.setStatus("ready");
    else if (PHONE.status === "failed") PHONE.show(); // the problem said meanwhile stays
    else PHONE.setStatus("failed", "disconnected");
  },
  devices: () => PHONE.showDevices(),
};

// -- start: microphone, preflight, registration -------------------------------------------

PHONE.microphone = async function () {
  try {
    if (!navigator.mediaDevices) throw new Error("no media devices in this page");
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    for (const track of stream.getTracks()) track.stop();
    return true;
  } catch (err) {
    PHONE.setStatus("failed", "microphone-refused", err.message);
    return false;
  }
};

PHONE.preflight = async function () {
  PHONE.preflightResult = "running";
  PHONE.showPreflight();
  let result;
  try {
    result = await PHONE.adapter.preflight();
  } catch (err) {
    result = { ok: false, detail: err.message, problem: err.problem };
  }
  PHONE.preflightResult = result;
  PHONE.showPreflight();
  if (!result.ok) PHONE.setStatus("failed", result.problem || "preflight-failed", result.detail);
  return result.ok;
};

PHONE.start = async function () {
  if (PHONE.adapter) PHONE.adapter.stop();
  PHONE.adapter = null;
  PHONE.preflightResult = null;
  PHONE.info = await CC.api("GET", "/api/agents/me/softphone");
  const factory = PHONE.adapters[PHONE.info.kind];
  if (!factory) { PHONE.setStatus("elsewhere"); return; }
  PHONE.adapter = factory(PHONE.info, PHONE.events);
  PHONE.setStatus("starting");
  if (!PHONE.info.configured) {
    // The server runs no softphone of this kind (the demo, or a phone outside the desk):
    // said plainly, and not held against the agent.
    PHONE.setStatus("unconfigured");
    return;
  }
  try {
    await PHONE.adapter.load();
  } catch (err) {
    PHONE.setStatus("failed", "registration-failed", err.message);
    return;
  }
  if (!(await PHONE.microphone())) return;
  if (!(await PHONE.preflight())) return;
  await PHONE.adapter.register();
};

// -- the panel's buttons ------------------------------------------------------------------

PHONE.act = (fn) => { try { fn(); } catch (err) { notice(err.message); } };

PHONE.wire = function () {
  const onCall = (fn) => () => PHONE.act(() => PHONE.call && fn(PHONE.call));
  PHONE.el("phone-answer").onclick = onCall((call) => call.answer());
  PHONE.el("phone-decline").onclick = onCall((call) => call.decline());
  PHONE.el("phone-hang-up").onclick = onCall((call) => call.hangUp());
  PHONE.el("phone-mute").onclick = onCall((call) => { PHONE.muted = !PHONE.muted; call.mute(PHONE.muted); PHONE.show(); });
  for (const key of document.querySelectorAll("#phone-keypad button[data-digit]")) {
    key.onclick = onCall((call) => {
      call.digits(key.dataset.digit);
      PHONE.el("phone-digits").textContent += key.dataset.digit;
    });
  }
  PHONE.el("phone-input").onchange = (ev) => PHONE.adapter.audio.setInput(ev.target.value).catch((err) => notice(err.message));
  PHONE.el("phone-output").onchange = (ev) => PHONE.adapter.audio.setOutput(ev.target.value).catch((err) => notice(err.message));
  PHONE.el("phone-password-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("cc-sip-password", PHONE.el("phone-password").value);
    PHONE.el("phone-password").value = "";
    PHONE.start().catch((err) => notice(err.message));
  });
  PHONE.el("phone-retry").onclick = () => PHONE.start().catch((err) => notice(err.message));
  I18N.onChange(() => PHONE.show());
};
