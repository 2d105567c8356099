"use strict";
// The words of the desk's softphone and live-call controls (softphone.js, livecall.js), in
// zh-CN and en-US, merged into i18n.js's tables (load it right after i18n.js).
(function () {
  const more = {
    "zh-CN": {
      ui: {
        phone: "话机", phone_answer: "接听", phone_decline: "拒接", phone_hang_up: "挂断",
        phone_mute: "静音", phone_unmute: "取消静音",
        phone_input: "麦克风", phone_output: "扬声器", phone_retry: "重新检测话机",
        sip_password: "SIP 密码", phone_register: "注册话机",
        phone_not_ready: "话机未就绪，您不会收到来电：{problem}",
        phone_not_configured: "服务器未配置网页话机，来电不会在本页振铃",
        phone_elsewhere: "来电会振铃到您的 {kind} 设备 {address}",
        preflight: "通话质量检测", preflight_running: "检测中…", preflight_passed: "通过",
        preflight_failed: "未通过：{detail}",
        phone_from: "来电：{from}",
        live: "通话控制", hold: "保持", resume: "恢复通话", held: "客户正在听等待音乐",
        consult: "咨询", consult_agent: "坐席编号", consult_queue: "或队列",
        consult_start: "发起咨询", consult_complete: "完成转接", consult_cancel: "取消咨询",
        consult_conference: "三方通话", consult_line: "咨询坐席 {agent}（{status}）",
        recording_pause: "暂停录音", recording_resume: "恢复录音",
        consult_offer: "坐席 {agent} 请求咨询", consult_offer_ended: "咨询已结束",
      },
      phone_kind: { twilio: "Twilio 网页话机", webrtc: "WebRTC 网页话机", sip: "SIP 话机", phone: "电话号码" },
      phone_status: {
        off: "未启动", starting: "启动中", "needs-password": "请输入 SIP 密码", ready: "就绪",
        ringing: "振铃中", "in-call": "通话中", reconnecting: "网络重连中（通话保持）",
        failed: "未就绪", elsewhere: "由外部话机接听", unconfigured: "网页话机未启用",
      },
      phone_problem: {
        "microphone-refused": "麦克风权限被拒绝", "token-failed": "无法获取话机凭证",
        "registration-failed": "话机注册失败", network: "网络故障", "preflight-failed": "通话质量检测未通过",
        disconnected: "话机已断开",
      },
      consult_status: { ringing: "振铃中", talking: "通话中", conference: "三方通话" },
      recording: { recording: "录音中", paused: "录音已暂停", stopped: "录音已停止", ready: "录音可回放", failed: "录音失败", deleted: "录音已删除" },
    },
    "en-US": {
      ui: {
        phone: "Phone", phone_answer: "Answer", phone_decline: "Decline", phone_hang_up: "Hang up",
        phone_mute: "Mute", phone_unmute: "Unmute",
        phone_input: "Microphone", phone_output: "Speaker", phone_retry: "Check the phone again",
        sip_password: "SIP password", phone_register: "Register the phone",
        phone_not_ready: "Your phone is not ready, so no calls will reach you: {problem}",
        phone_not_configured: "the server is not set up for a browser phone: calls will not ring in this page",
        phone_elsewhere: "Calls ring your {kind} device {address}",
        preflight: "Call quality check", preflight_running: "checking…", preflight_passed: "passed",
        preflight_failed: "failed: {detail}",
        phone_from: "Call from {from}",
        live: "Call controls", hold: "Hold", resume: "Resume", held: "The caller hears hold music",
        consult: "Consult", consult_agent: "Agent number", consult_queue: "or queue",
        consult_start: "Consult", consult_complete: "Complete transfer", consult_cancel: "Cancel consult",
        consult_conference: "Conference", consult_line: "Consulting agent {agent} ({status})",
        recording_pause: "Pause recording", recording_resume: "Resume recording",
        consult_offer: "Agent {agent} asks to consult you", consult_offer_ended: "The consultation ended",
      },
      phone_kind: { twilio: "Twilio browser phone", webrtc: "WebRTC browser phone", sip: "SIP phone", phone: "Phone number" },
      phone_status: {
        off: "Off", starting: "Starting", "needs-password": "Enter your SIP password", ready: "Ready",
        ringing: "Ringing", "in-call": "In a call", reconnecting: "Reconnecting (the call is kept)",
        failed: "Not ready", elsewhere: "Answered on your own phone", unconfigured: "No browser phone",
      },
      phone_problem: {
        "microphone-refused": "the microphone was refused", "token-failed": "no phone token",
        "registration-failed": "the phone could not register", network: "network trouble",
        "preflight-failed": "the call quality check failed", disconnected: "the phone disconnected",
      },
      consult_status: { ringing: "ringing", talking: "talking", conference: "in conference" },
      recording: { recording: "Recording", paused: "Recording paused", stopped: "Recording stopped", ready: "Recording ready", failed: "Recording failed", deleted: "Recording deleted" },
    },
  };
  for (const [lang, groups] of Object.entries(more)) {
    for (const [group, words] of Object.entries(groups)) {
      CC_LABELS[lang][group] = Object.assign(CC_LABELS[lang][group] || {}, words);
    }
  }
  I18N.apply();
})();
