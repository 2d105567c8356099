"use strict";
// The softphone's Twilio adapter (agents with a twilio_client device): a Twilio.Device from
// the vendored Voice SDK, registered with the token of GET /api/agents/me/voice-token and
// given a fresh one when the SDK says the old one will expire. Incoming agent legs ring in
// the page; a call that loses its network is shown reconnecting, not dropped.
PHONE.adapters.twilio = function (info, events) {
  const state = { device: null, registered: false, token: null };

  async function token() {
    try {
      return (await CC.api("GET", "/api/agents/me/voice-token")).token;
    } catch (err) {
      const failure = new Error(err.message);
      failure.problem = "token-failed";
      throw failure;
    }
  }

  function wrapCall(call) {
    call.on("accept", () => events.accepted());
    call.on("reconnecting", () => events.reconnecting());
    call.on("reconnected", () => events.reconnected());
    for (const end of ["disconnect", "cancel", "reject", "error"]) call.on(end, () => events.ended());
    return {
      from: (call.parameters && call.parameters.From) || "",
      answer: () => call.accept(),
      decline: () => call.reject(),
      hangUp: () => call.disconnect(),
      mute: (on) => call.mute(on),
      digits: (d) => call.sendDigits(d),
    };
  }

  async function refresh() {
    try {
      state.device.updateToken(await token());
    } catch (err) {
      events.failed("token-failed", err.message);
    }
  }

  function listen(device) {
    device.on("registered", () => { state.registered = true; events.registered(); });
    device.on("unregistered", () => {
      if (!state.registered) return;
      state.registered = false;
      events.failed("disconnected");
    });
    device.on("error", (err) => {
      // 201xx: the access token (invalid, expired, …); else the signalling connection
      const token = /^201\d\d$/.test(String(err && err.code));
      const problem = token ? "token-failed" : state.registered ? "network" : "registration-failed";
      state.registered = false;
      events.failed(problem, (err && (err.message || err.code)) || "");
    });
    device.on("incoming", (call) => events.incoming(wrapCall(call)));
    device.on("tokenWillExpire", refresh);
    if (device.audio && device.audio.on) device.audio.on("deviceChange", () => events.devices());
  }

  const entries = (map) => [...(map || new Map()).values()].map((d) => ({ id: d.deviceId, label: d.label }));
  const audio = {
    inputs: () => entries(state.device && state.device.audio.availableInputDevices),
    outputs: () => entries(state.device && state.device.audio.availableOutputDevices),
    input: () => state.device && state.device.audio.inputDevice && state.device.audio.inputDevice.deviceId,
    output: () => {
      const chosen = state.device && state.device.audio.speakerDevices.get();
      return chosen && chosen.size ? [...chosen][0].deviceId : null;
    },
    setInput: (id) => state.device.audio.setInputDevice(id),
    setOutput: (id) => state.device.audio.speakerDevices.set(id),
  };

  return {
    audio,
    registered: () => state.registered,
    load: () => PHONE.loadScript("twilio.min.js"),
    async preflight() {
      state.token = await token();
      return await new Promise((resolve) => {
        const test = Twilio.Device.runPreflight(state.token, { codecPreferences: ["opus", "pcmu"] });
        test.on("completed", (report) => resolve({ ok: true, detail: report && report.callQuality ? String(report.callQuality) : "" }));
        test.on("failed", (err) => resolve({ ok: false, detail: (err && (err.message || err.code)) || "" }));
      });
    },
    async register() {
      try {
        state.token = state.token || (await token());
        state.device = new Twilio.Device(state.token, { closeProtection: true, codecPreferences: ["opus", "pcmu"] });
        listen(state.device);
        events.devices();
        await state.device.register();
      } catch (err) {
        events.failed(err.problem || "registration-failed", err.message);
      }
    },
    stop() {
      if (state.device) state.device.destroy();
      state.device = null;
      state.registered = false;
    },
  };
};
