// A stand-in for the vendored Twilio Voice SDK (tests/browser/softphone_stubs.py serves it in
// place of twilio.min.js): logs what the desk asks into window.__twilio.log and raises the SDK's
// events when a test says so.
// (emitter.js comes first: the StubEmitter class)
(function () {
  const stub = window.__twilio = Object.assign({ log: [] }, window.__twilio || {});
  const log = (...entry) => stub.log.push(entry);
  class Call extends StubEmitter {
    constructor(from) { super(); this.parameters = { From: from, CallSid: "CA0001" }; }
    accept() { log("accept"); this.emit("accept", this); }
    reject() { log("reject"); this.emit("reject"); }
    disconnect() { log("disconnect"); this.emit("disconnect", this); }
    mute(on) { log("mute", on); }
    sendDigits(digits) { log("digits", digits); }
  }
  const devices = (entries) => new Map(entries.map(([id, label]) => [id, { deviceId: id, label }]));
  class Audio extends StubEmitter {
    constructor() {
      super();
      this.availableInputDevices = devices([["default", "Built-in microphone"], ["usb", "USB headset"]]);
      this.availableOutputDevices = devices([["default", "Built-in speaker"], ["usb-out", "USB headset out"]]);
      this.inputDevice = null;
      const chosen = { set: new Set() };
      const outputs = this.availableOutputDevices;
      this.speakerDevices = {
        get: () => chosen.set,
        set: (id) => { log("output", id); chosen.set = new Set([outputs.get(id)]); return Promise.resolve(); },
      };
    }
    setInputDevice(id) { log("input", id); this.inputDevice = this.availableInputDevices.get(id); return Promise.resolve(); }
  }
  class Device extends StubEmitter {
    constructor(token, options) { super(); this.token = token; this.audio = new Audio(); log("device", token); stub.device = this; }
    register() {
      log("register", this.token);
      setTimeout(() => stub.registerError
        ? this.emit("error", { message: stub.registerError, code: 31204 }) : this.emit("registered"), 0);
      return Promise.resolve();
    }
    updateToken(token) { log("updateToken", token); this.token = token; }
    destroy() { log("destroy"); }
    static runPreflight(token) {
      log("preflight", token);
      const test = new StubEmitter();
      setTimeout(() => stub.preflightError
        ? test.emit("failed", { message: stub.preflightError }) : test.emit("completed", { callQuality: "excellent" }), 0);
      return test;
    }
  }
  window.Twilio = { Device, Call };
  stub.ring = (from) => { stub.call = new Call(from); stub.device.emit("incoming", stub.call); };
})();
