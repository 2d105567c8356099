// A stand-in for the vendored JsSIP (tests/browser/softphone_stubs.py serves it in place of
// jssip.min.js): logs what the desk asks into window.__jssip.log and raises JsSIP's events when
// a test says so.
// (emitter.js comes first: the StubEmitter class)
(function () {
  const stub = window.__jssip = Object.assign({ log: [] }, window.__jssip || {});
  const log = (...entry) => stub.log.push(entry);
  class WebSocketInterface { constructor(url) { this.url = url; } }
  class Session extends StubEmitter {
    constructor(from) { super(); this.remote_identity = { uri: { user: from } }; }
    answer(options) { log("answer", options.mediaConstraints); this.emit("confirmed"); }
    terminate(options) { log("terminate", (options && options.status_code) || null); this.emit("ended", {}); }
    mute() { log("mute"); }
    unmute() { log("unmute"); }
    sendDTMF(digit) { log("dtmf", digit); }
  }
  class UA extends StubEmitter {
    constructor(config) {
      super();
      log("ua", { uri: config.uri, password: config.password, sockets: config.sockets.map((s) => s.url) });
      stub.ua = this;
    }
    start() {
      log("start");
      setTimeout(() => stub.registerFailure
        ? this.emit("registrationFailed", { cause: stub.registerFailure }) : this.emit("registered", {}), 0);
    }
    stop() { log("stop"); }
  }
  window.JsSIP = { UA, WebSocketInterface };
  stub.ring = (from) => {
    stub.session = new Session(from);
    stub.ua.emit("newRTCSession", { originator: "remote", session: stub.session });
  };
})();
