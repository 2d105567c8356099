"use strict";
// The agent desk: presence buttons, the screen-pop pushed over the WebSocket, accept or
// decline, hang up, transfer, wrap-up with a disposition, and a ticket from the pop.
const $ = (id) => document.getElementById(id);
const desk = { call: null, socket: null, retry: 500, pingTimer: null, countdown: null };

function notice(text) { $("notice").textContent = text || ""; }

function showState(msg) {
  $("state").textContent = msg.state;
  $("state").dataset.state = msg.state;
  $("reason").textContent = msg.reason ? "(" + msg.reason + ")" : "";
  $("since").textContent = msg.since_ms ? "since " + new Date(msg.since_ms).toLocaleTimeString() : "";
  if (msg.state === "wrap_up") showWrapUp(msg.wrap_up_until_ms);
  if (msg.state === "ready" || msg.state === "not_ready" || msg.state === "logged_out") {
    if (!$("wrap-up-form").hidden || msg.state === "logged_out") clearCall();
  }
}

function row(dl, label, value) {
  if (value === undefined || value === null || value === "") return;
  dl.append(CC.el("dt", label), CC.el("dd", value));
}

function renderPop(pop) {
  const box = $("pop");
  box.replaceChildren();
  if (!pop) return;
  const head = CC.el("dl");
  row(head, "来电号码 Caller", pop.caller);
  row(head, "队列 Queue", pop.queue);
  if (pop.queued_at) {
    const waited = Math.max(0, Math.round((Date.now() - Date.parse(pop.queued_at)) / 1000));
    row(head, "等待 Waited", waited + " s");
  }
  if (pop.callback) row(head, "回电 Callback", "客户已挂机，请回拨 / the caller asked to be called back");
  row(head, "IVR 路径 IVR path", (pop.ivr_path || []).join(" › "));
  row(head, "按键 Keyed", (pop.keyed || []).map((k) => k.node + "=" + (k.digits || k.speech || "")).join(", "));
  box.append(head);
  if (!pop.customers || pop.customers.length === 0) {
    box.append(CC.el("p", "未识别的来电 Unidentified caller", { class: "unknown" }));
  }
  for (const c of pop.customers || []) {
    const card = CC.el("div", null, { class: "customer" });
    card.append(CC.el("h3", c.name, { class: "customer-name" }));
    const dl = CC.el("dl");
    row(dl, "客户类别 Class", c.customer_class);
    row(dl, "重要用户 Important grade", c.important_grade);
    row(dl, "客户经理 Account manager", c.account_manager && c.account_manager.name);
    row(dl, "特殊关怀 Vulnerable", (c.vulnerable || []).join(", "));
    card.append(dl);
    for (const a of c.accounts || []) {
      const ad = CC.el("dl", null, { class: "account" });
      row(ad, "户号 Account", a.account_no);
      row(ad, "用电地址 Service address", a.service_point && a.service_point.address);
      row(ad, "缴费方式 Payment", a.payment_mode);
      row(ad, "信用 Credit", a.credit_rating + " (" + a.credit_score + ")");
      row(ad, "预付余额 Balance", a.prepaid_balance);
      row(ad, "欠费 Arrears", a.arrears && a.arrears.arrears);
      row(ad, "违约金 Late fee to date", a.arrears && a.arrears.fee);
      row(ad, "合计 Total due", a.arrears && a.arrears.total_due);
      for (const o of a.outages || []) {
        row(ad, "停电 Outage", o.kind + " " + o.area + " " + o.cause +
          (o.estimated_restoration_at ? " → " + o.estimated_restoration_at : ""));
      }
      card.append(ad);
    }
    const t = CC.el("ul", null, { class: "tickets" });
    for (const tk of c.open_tickets || []) t.append(CC.el("li", tk.number + " " + tk.type + " " + tk.status + " " + tk.summary));
    if (t.childElementCount) { card.append(CC.el("h4", "在途工单 Open tickets"), t); }
    const calls = CC.el("ul", null, { class: "calls" });
    for (const cl of c.recent_calls || []) calls.append(CC.el("li", cl.started_at + " " + cl.direction + " " + (cl.disposition || cl.state)));
    if (calls.childElementCount) { card.append(CC.el("h4", "近期来电 Last calls"), calls); }
    box.append(card);
  }
}

function showCall(callId, pop, phase) {
  desk.call = { id: callId, pop: pop || (desk.call && desk.call.pop) };
  $("call").hidden = false;
  $("call-id").textContent = callId;
  $("call-kind").textContent = phase;
  $("offer-actions").hidden = phase !== "offer";
  $("talk-actions").hidden = phase !== "talking";
  $("wrap-up-form").hidden = phase !== "wrap-up";
  renderPop(desk.call.pop);
}

function showWrapUp(until) {
  if (!desk.call) return;
  showCall(desk.call.id, null, "wrap-up");
  $("wrap-until").textContent = until ? "(until " + new Date(until).toLocaleTimeString() + ")" : "";
}

function clearCall() {
  desk.call = null;
  clearInterval(desk.countdown);
  $("call").hidden = true;
  $("pop").replaceChildren();
  $("notes").value = "";
  $("ticket-result").textContent = "";
}

function onMessage(msg) {
  if (msg.type === "state") {
    if (msg.call && msg.call.call_id) {
      const phase = { reserved: "offer", on_call: "talking", wrap_up: "wrap-up" }[msg.state];
      if (phase) showCall(msg.call.call_id, msg.call.pop, phase);
    }
    showState(msg);
  } else if (msg.type === "offer") {
    notice("");
    showCall(msg.call_id, msg.pop, "offer");
    clearInterval(desk.countdown);
    desk.countdown = setInterval(() => {
      const left = Math.max(0, Math.round((msg.deadline_ms - Date.now()) / 1000));
      $("countdown").textContent = left + " s";
    }, 250);
  } else if (msg.type === "offer_withdrawn") {
    if (desk.call && desk.call.id === msg.call_id) clearCall();
    notice("来电已撤回 The offer was withdrawn: " + msg.reason);
  } else if (msg.type === "connected") {
    clearInterval(desk.countdown);
    showCall(msg.call_id, null, "talking");
  } else if (msg.type === "call_ended") {
    showWrapUp();
  } else if (msg.type === "error") {
    notice(msg.message);
    if (msg.code === "unauthorized") CC.signOut();
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
    $("link").textContent = "● online";
    clearInterval(desk.pingTimer);
    desk.pingTimer = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), 20000);
  };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = () => {
    if (desk.stopped) { $("link").textContent = "○ offline"; return; }
    $("link").textContent = "○ reconnecting";
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
  $("ticket-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(async () => {
      const pop = desk.call && desk.call.pop;
      const c = pop && pop.customers && pop.customers[0];
      const body = { type: $("ticket-type").value, summary: $("ticket-summary").value || "坐席受理", call_id: desk.call.id };
      if (c) body.customer_id = c.id;
      const t = await CC.api("POST", "/api/tickets", body);
      $("ticket-result").textContent = t.number;
    });
  });
}

CC.signIn(async () => {
  $("desk").hidden = false;
  wire();
  await act(() => CC.api("POST", "/api/agents/me/login"));
  connect();
});
