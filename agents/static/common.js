"use strict";
// Sign-in and the API helper shared by the desk and the wallboard (after i18n.js). Every
// text from the server is put into the page with textContent, never as markup.
const CC = {
  token: sessionStorage.getItem("cc-token"),
  user: JSON.parse(sessionStorage.getItem("cc-user") || "null"),
  async api(method, path, body) {
    const resp = await fetch(path, {
      method,
      headers: { "Authorization": "Bearer " + CC.token, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const err = new Error((data.error && data.error.message) || resp.statusText);
      err.code = data.error && data.error.code;
      err.status = resp.status;
      throw err;
    }
    return data;
  },
  el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  },
  signIn(onReady) {
    const form = document.getElementById("signin-form");
    const show = () => {
      document.getElementById("signin").hidden = true;
      document.getElementById("who").textContent = CC.user.display_name + " (" + CC.user.username + ")";
      onReady();
    };
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const resp = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          username: document.getElementById("username").value,
          password: document.getElementById("password").value,
        }),
      });
      const data = await resp.json().catch(() => ({}));
      if (!resp.ok) {
        document.getElementById("signin-error").textContent =
          (data.error && data.error.message) || I18N.t("sign_in_failed");
        return;
      }
      CC.token = data.token;
      CC.user = data;
      sessionStorage.setItem("cc-token", data.token);
      sessionStorage.setItem("cc-user", JSON.stringify(data));
      show();
    });
    const why = sessionStorage.getItem("cc-signed-out");  // shown once on the sign-in form
    if (why) document.getElementById("signin-error").textContent = why;
    sessionStorage.removeItem("cc-signed-out");
    if (CC.token && CC.user) show();
  },
  // Back to the sign-in form; `reason` (a socket's close reason, a server message) shown there.
  signOut(reason) {
    sessionStorage.removeItem("cc-token");
    sessionStorage.removeItem("cc-user");
    if (reason) sessionStorage.setItem("cc-signed-out", reason);
    location.reload();
  },
};
