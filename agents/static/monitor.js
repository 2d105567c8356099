"use strict";
// Supervisors on the wallboard: listen to, whisper to (coach the agent) or barge in on an
// agent's live call (POST /api/calls/{id}/monitor). The supervisor's phone is rung into the
// call: the device given here (kept in this browser), else the supervisor's own agent device.
// Every use is audited by the server. Loaded after i18n.js and common.js.
const MONITOR_LABELS = {
  "zh-CN": {
    ui: {
      monitor: "监听", monitor_device: "我的话机", monitor_kind: "类型", monitor_address: "号码/地址",
      monitor_listen: "监听", monitor_whisper: "密语", monitor_barge: "强插",
      monitor_started: "{mode}：话机 {address} 正在呼入通话 {call}", monitor_failed: "未能加入通话：{message}",
      monitor_own: "（空：用我的坐席话机）",
    },
  },
  "en-US": {
    ui: {
      monitor: "Monitor", monitor_device: "My phone", monitor_kind: "Kind", monitor_address: "Number / address",
      monitor_listen: "Listen", monitor_whisper: "Whisper", monitor_barge: "Barge",
      monitor_started: "{mode}: your phone {address} is being rung into call {call}",
      monitor_failed: "Could not join the call: {message}", monitor_own: "(empty: my agent device)",
    },
  },
};
for (const [lang, tables] of Object.entries(MONITOR_LABELS)) {
  for (const [kind, table] of Object.entries(tables)) {
    CC_LABELS[lang][kind] = { ...(CC_LABELS[lang][kind] || {}), ...table };
  }
}

const MONITOR = {
  modes: ["listen", "whisper", "barge"],
  device() {
    const kind = document.getElementById("monitor-kind").value;
    const address = document.getElementById("monitor-address").value.trim();
    localStorage.setItem("cc-monitor-device", JSON.stringify({ kind, address }));
    return address ? { device_kind: kind, device_address: address } : {};
  },
  say(text, failed) {
    const out = document.getElementById("monitor-status");
    out.textContent = text;
    out.className = failed ? "error" : "";
  },
  async join(callId, mode) {
    const device = MONITOR.device();
    try {
      const done = await CC.api("POST", "/api/calls/" + encodeURIComponent(callId) + "/monitor", { mode, ...device });
      MONITOR.say(I18N.t("monitor_started", {
        mode: I18N.t("monitor_" + mode), address: device.device_address || "—", call: done.call_id }), false);
    } catch (err) {
      MONITOR.say(I18N.t("monitor_failed", { message: err.message }), true);
    }
  },
  // The cell of an agent's row: a button per mode while the agent is on a call.
  cell(agent) {
    const td = CC.el("td", null, { class: "monitor" });
    if (agent.state !== "on_call" || !agent.call_id) return td;
    for (const mode of MONITOR.modes) {
      const button = CC.el("button", I18N.t("monitor_" + mode), { "data-monitor": mode, type: "button" });
      button.onclick = () => MONITOR.join(agent.call_id, mode);
      td.append(button);
    }
    return td;
  },
  restore() {
    const saved = JSON.parse(localStorage.getItem("cc-monitor-device") || "null");
    if (saved) {
      document.getElementById("monitor-kind").value = saved.kind;
      document.getElementById("monitor-address").value = saved.address;
    }
  },
};
I18N.setLang(I18N.lang, false);
MONITOR.restore();
// Enter in the address field must not submit the form (a reload): the row's buttons act.
document.getElementById("monitor-device").addEventListener("submit", (ev) => ev.preventDefault());
