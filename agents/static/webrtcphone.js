"use strict";
// The softphone's Asterisk adapter (agents with a webrtc device): a JsSIP user agent from the
// vendored library, registering over PJSIP's WSS transport (GET /api/agents/me/softphone
// gives ws_url and sip_uri). The SIP password is typed by the agent in the phone panel and
// kept in this tab's sessionStorage only. Incoming sessions ring in the page; while the
// WebSocket reconnects, a call in progress keeps its media and shows reconnecting.
PHONE.adapters.webrtc = function (info, events) {
  const state = { ua: null, registered: false, session: null, everRegistered: false };
  const remoteAudio = new Audio();
  remoteAudio.autoplay = true;

  // ICE gathering must produce a candidate within a few seconds: a media path can be made.
  function iceCheck() {
    return new Promise((resolve) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const found = [];
      const done = (ok, detail) => { clearTimeout(timer); pc.close(); resolve({ ok, detail }); };
      const timer = setTimeout(() => done(found.length > 0, found.length ? "" : "no ICE candidate"), 5000);
      pc.onicecandidate = (ev) => {
        if (ev.candidate) found.push(ev.candidate.candidate);
        else done(found.length > 0, found.length ? found.length + " ICE" : "no ICE candidate");
      };
      pc.createDataChannel("preflight");
      pc.createOffer().then((offer) => pc.setLocalDescription(offer)).catch((err) => done(false, err.message));
    });
  }

  function wrapSession(session) {
    state.session = session;
    session.on("peerconnection", (ev) => {
      ev.peerconnection.addEventListener("track", (t) => { remoteAudio.srcObject = t.streams[0]; });
    });
    session.on("confirmed", () => events.accepted());
    for (const end of ["ended", "failed"]) session.on(end, () => { state.session = null; events.ended(); });
    const from = session.remote_identity && session.remote_identity.uri ? String(session.remote_identity.uri.user || "") : "";
    return {
      from,
      answer: () => session.answer({ mediaConstraints: { audio: true, video: false } }),
      decline: () => session.terminate({ status_code: 486, reason_phrase: "Busy Here" }),
      hangUp: () => session.terminate(),
      mute: (on) => (on ? session.mute({ audio: true }) : session.unmute({ audio: true })),
      digits: (d) => session.sendDTMF(d),
    };
  }

  function listen(ua) {
    ua.on("registered", () => { state.registered = true; state.everRegistered = true; events.registered(); });
    ua.on("unregistered", () => { state.registered = false; if (!state.session) events.failed("disconnected"); });
    ua.on("registrationFailed", (ev) => {
      state.registered = false;
      const cause = (ev && ev.cause) || "";
      if (/auth|forbidden|rejected/i.test(cause)) {
        sessionStorage.removeItem("cc-sip-password");
        events.needsPassword(cause);
      } else events.failed("registration-failed", cause);
    });
    ua.on("disconnected", () => {
      state.registered = false;
      if (state.session) events.reconnecting();
      else events.failed(state.everRegistered ? "network" : "registration-failed", info.ws_url);
    });
    ua.on("connected", () => { if (state.session) events.reconnected(); });
    ua.on("newRTCSession", (ev) => { if (ev.originator === "remote") events.incoming(wrapSession(ev.session)); });
  }

  return {
    audio: null,
    registered: () => state.registered,
    load: () => PHONE.loadScript("jssip.min.js"),
    preflight: iceCheck,
    async register() {
      const password = sessionStorage.getItem("cc-sip-password");
      if (!password) { events.needsPassword(""); return; }
      try {
        const socket = new JsSIP.WebSocketInterface(info.ws_url);
        state.ua = new JsSIP.UA({ sockets: [socket], uri: info.sip_uri, password, register: true, session_timers: false });
        listen(state.ua);
        state.ua.start();
      } catch (err) {
        events.failed("registration-failed", err.message);
      }
    },
    stop() {
      if (state.ua) state.ua.stop();
      state.ua = null;
      state.registered = false;
    },
  };
};
