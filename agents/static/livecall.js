"use strict";
// The desk's live-call controls: hold / resume, consult an agent or a queue's next agent then
// complete, cancel or conference, pause / resume the recording. Each button calls its route
// under /api/agents/me/call; what the buttons offer follows the live state the server pushes
// on the desk socket ({"type": "live"}). A consulted agent sees who asks, with the caller's
// pop ({"type": "consult_offer"}), until the consultation ends ({"type": "consult_ended"}).
const LIVE = { state: null, offer: null };

LIVE.el = (id) => document.getElementById(id);

LIVE.render = function () {
  const live = LIVE.state;
  LIVE.el("live").hidden = !live;
  if (live) {
    const consult = live.consult;
    LIVE.el("live-hold").hidden = live.held;
    LIVE.el("live-resume").hidden = !live.held;
    LIVE.el("live-held").hidden = !live.held;
    LIVE.el("consult-form").hidden = Boolean(consult);
    LIVE.el("consult-actions").hidden = !consult;
    LIVE.el("consult-line").textContent = consult
      ? I18N.t("consult_line", { agent: consult.agent_id, status: I18N.label("consult_status", consult.status) }) : "";
    const answered = consult && consult.status !== "ringing";
    LIVE.el("consult-complete").disabled = !answered;
    LIVE.el("consult-conference").disabled = !answered || consult.status === "conference";
    LIVE.el("recording-state").textContent = live.recording ? I18N.label("recording", live.recording) : "";
    LIVE.el("recording-state").dataset.recording = live.recording || "";
    LIVE.el("recording-pause").hidden = live.recording !== "recording";
    LIVE.el("recording-resume").hidden = live.recording !== "paused";
  }
  const offer = LIVE.offer;
  LIVE.el("consult-offer").hidden = !offer;
  if (offer) {
    LIVE.el("consult-offer-from").textContent = I18N.t("consult_offer", { agent: offer.from_agent_id });
    POP.render(LIVE.el("consult-pop"), offer.pop);
  }
};

LIVE.show = function (state) {
  LIVE.state = state && state.call_id ? state : null;
  LIVE.render();
};

// The desk's messages this file handles; true when it took the message.
LIVE.onMessage = function (msg) {
  if (msg.type === "live") {
    LIVE.show(msg);
  } else if (msg.type === "consult_offer") {
    LIVE.offer = msg;
    LIVE.render();
  } else if (msg.type === "consult_ended") {
    if (LIVE.offer && LIVE.offer.call_id === msg.call_id) {
      LIVE.offer = null;
      notice(I18N.t("consult_offer_ended"));
    }
    if (LIVE.state && LIVE.state.call_id === msg.call_id) LIVE.state = { ...LIVE.state, consult: null };
    LIVE.render();
  } else {
    return false;
  }
  return true;
};

// The agent's call went on or off: fetch the live state (none: the controls hide).
LIVE.phase = async function (phase) {
  if (phase !== "talking") { LIVE.show(null); return; }
  if (LIVE.state) return;
  try {
    LIVE.show(await CC.api("GET", "/api/agents/me/call"));
  } catch (err) {
    LIVE.show(null);
  }
};

LIVE.post = (path, body) => CC.api("POST", "/api/agents/me/call" + path, body).then((state) => LIVE.show(state));

LIVE.consultBody = function () {
  const agent = LIVE.el("consult-agent").value.trim();
  if (agent) return { agent_id: Number(agent) };
  return { queue: LIVE.el("consult-queue").value };
};

LIVE.wire = function (act) {
  const buttons = {
    "live-hold": () => LIVE.post("/hold"),
    "live-resume": () => LIVE.post("/resume"),
    "consult-complete": () => LIVE.post("/consult/complete"),
    "consult-cancel": () => LIVE.post("/consult/cancel"),
    "consult-conference": () => LIVE.post("/consult/conference"),
    "recording-pause": () => LIVE.post("/recording/pause"),
    "recording-resume": () => LIVE.post("/recording/resume"),
  };
  for (const [id, fn] of Object.entries(buttons)) LIVE.el(id).onclick = () => act(fn);
  LIVE.el("consult-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(() => LIVE.post("/consult", LIVE.consultBody()));
  });
  I18N.onChange(() => LIVE.render());
};
