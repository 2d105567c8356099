"use strict";
// The agent desk: presence buttons, the screen-pop pushed over the WebSocket (pop.js), accept
// or decline, hang up, transfer, wrap-up with a disposition, and the ticket form (tickets.js);
// the softphone (softphone.js) and the live call's controls (livecall.js).
// Texts and labels come from i18n.js in the agent's language.
const $ = (id) => document.getElementById(id);
const desk = { call: null, state: null, wrapUntil: null, socket: null, retry: 500, pingTimer: null, countdown: null };

function notice(text) { $("notice").textContent = text || ""; }

// A fixed text that follows the language switch (i18n.js redraws every [data-i18n]).
function say(el, key) { el.dataset.i18n = key; el.textContent = I18N.t(key); }

function showState(msg) {
  desk.state = msg;
  $("state").textContent = I18N.label("state", msg.state);
  $("state").dataset.state = msg.state;
  $("reason").textContent = msg.reason ? "(" + I18N.label("reason", msg.reason) + ")" : "";
  $("since").textContent = msg.since_ms ? I18N.t("since", { time: I18N.clock(msg.since_ms) }) : "";
  if (msg.state === "wrap_up") showWrapUp(msg.wrap_up_until_ms);
  PHONE.agentState(msg);
  if (msg.state === "ready" || msg.state === "not_ready" || msg.state === "logged_out") {
    if (!$("wrap-up-form").hidden || msg.state === "logged_out") clearCall();
  }
}

function showCall(callId, pop, phase) {
  const same = desk.call && desk.call.id === callId;
  desk.call = { id: callId, pop: pop || (desk.call && desk.call.pop), dialled: Boolean(same && desk.call.dialled) };
  $("call").hidden = false;
  $("call-id").textContent = callId;
  $("call-kind").textContent = I18N.label("phase", phase);
  $("call-kind").dataset.phase = phase;
  $("offer-actions").hidden = phase !== "offer";
  $("talk-actions").hidden = phase !== "talking";
  $("wrap-up-form").hidden = phase !== "wrap-up";
  POP.render($("pop"), desk.call.pop);
  CAMPAIGN.show(desk.call, phase);
  TICKETS.redraw(desk.call);
  LIVE.phase(phase);
}

function showWrapUp(until) {
  if (!desk.call) return;
  showCall(desk.call.id, null, "wrap-up");
  desk.wrapUntil = until;
  $("wrap-until").textContent = until ? I18N.t("until", { time: I18N.clock(until) }) : "";
}

function clearCall() {
  desk.call = null;
  clearInterval(desk.countdown);
  $("call").hidden = true;
  $("pop").replaceChildren();
  CAMPAIGN.hide();
  $("notes").value = "";
  TICKETS.reset();
  LIVE.show(null);
}

function countDown(deadlineMs) {
  clearInterval(desk.countdown);
  desk.countdown = setInterval(() => {
    const left = Math.max(0, Math.round((deadlineMs - Date.now()) / 1000));
    $("countdown").textContent = I18N.t("seconds", { n: left });
  }, 250);
}

function onMessage(msg) {
  if (LIVE.onMessage(msg)) return;
  if (msg.type === "state") {
    if (msg.call && msg.call.call_id) {
      const phase = { reserved: "offer", on_call: "talking", wrap_up: "wrap-up" }[msg.state];
      if (phase) showCall(msg.call.call_id, msg.call.pop, phase);
    }
    showState(msg);
  } else if (msg.type === "offer") {
    notice("");
    showCall(msg.call_id, msg.pop, "offer");
    countDown(msg.deadline_ms);
  } else if (msg.type === "offer_ringing") {
    // the device started ringing: the offer's time runs from now
    if (desk.call && desk.call.id === msg.call_id) countDown(msg.deadline_ms);
  } else if (msg.type === "offer_withdrawn") {
    if (desk.call && desk.call.id === msg.call_id) clearCall();
    notice(I18N.t("offer_withdrawn", { reason: I18N.label("withdrawn", msg.reason) }));
  } else if (msg.type === "connected") {
    clearInterval(desk.countdown);
    showCall(msg.call_id, null, "talking");
  } else if (msg.type === "call_ended") {
    showWrapUp();
  } else if (msg.type === "error") {
    notice(msg.message);
    if (msg.status === 401) CC.signOut(msg.message);  // unknown, revoked, expired, disabled
    if (msg.code === "not-an-agent" || msg.code === "agent-disabled") desk.stopped = true;
  }
}

function connect() {
  const proto = location.protocol === "https:" ? "wss://" : "ws://";
  const ws = new WebSocket(proto + location.host + "/desk/ws");
  desk.socket = ws;
  ws.onopen = () => {
    desk.retry = 500;
    ws.send(JSON.stringify({ type: "auth", token: CC.token }));
    say($("link"), "online");
    clearInterval(desk.pingTimer);
    desk.pingTimer = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), 20000);
  };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = (ev) => {
    if (desk.stopped) { say($("link"), "offline"); return; }
    // 4401 token revoked/expired, 4403 disabled/role changed (issue 18): sign in again
    if (ev.code === 4401 || ev.code === 4403) { CC.signOut(ev.reason); return; }
    say($("link"), "reconnecting");
    clearInterval(desk.pingTimer);
    setTimeout(connect, desk.retry);
    desk.retry = Math.min(desk.retry * 2, 10000);
  };
}

async function act(fn) {
  try { notice(""); return await fn(); } catch (err) { notice(err.message); }
}

function wire() {
  $("go-ready").onclick = () => act(() => CC.api("PUT", "/api/agents/me/state", { state: "ready" }));
  $("go-not-ready").onclick = () => act(() => CC.api("PUT", "/api/agents/me/state",
    { state: "not_ready", reason: $("not-ready-reason").value }));
  $("sign-out").onclick = () => act(async () => {
    await CC.api("POST", "/api/agents/me/logout").catch(() => null);
    await CC.api("POST", "/api/auth/logout").catch(() => null);
    CC.signOut();
  });
  $("accept").onclick = () => act(() => CC.api("POST", "/api/agents/me/offers/" + encodeURIComponent(desk.call.id) + "/accept"));
  $("decline").onclick = () => act(() => CC.api("POST", "/api/agents/me/offers/" + encodeURIComponent(desk.call.id) + "/decline"));
  $("hang-up").onclick = () => act(() => CC.api("POST", "/api/agents/me/hang-up"));
  $("transfer").onclick = () => act(() => CC.api("POST", "/api/agents/me/transfer", { queue: $("transfer-queue").value }));
  $("wrap-up-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(async () => {
      await CC.api("POST", "/api/agents/me/wrap-up", { disposition: $("disposition").value, notes: $("notes").value });
      clearCall();
    });
  });
  CAMPAIGN.wire(act, () => desk.call);
  TICKETS.wire(act, () => desk.call);
  PHONE.wire();
  LIVE.wire(act);
}

// A language switch redraws what the server sent last, in the new language.
function redraw() {
  if (desk.state) showState(desk.state);
  if (desk.call) showCall(desk.call.id, null, $("call-kind").dataset.phase);
  if (desk.wrapUntil && !$("wrap-up-form").hidden) showWrapUp(desk.wrapUntil);
}

CC.signIn(async () => {
  $("desk").hidden = false;
  wire();
  I18N.onChange(redraw);
  await act(async () => I18N.useAgentLanguages((await CC.api("GET", "/api/agents/me")).languages));
  await act(() => CC.api("POST", "/api/agents/me/login"));
  await act(() => TICKETS.load());
  connect();
  await act(() => PHONE.start());
});
