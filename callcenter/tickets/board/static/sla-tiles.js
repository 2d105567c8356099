"use strict";
// The SLA tiles of the ticket board's header and the wallboard: open tickets, warned
// (70/80/90 %), breached, overdue and escalated, from /api/tickets/sla-summary. The summary's
// `at` (the server's clock) also sets the offset the board's countdowns run on.
const SLA_TILES = {
  KINDS: ["open", "warned", "breached", "overdue", "escalated"],
  data: null,
  offset: 0,
  timer: null,

  now() { return Date.now() + SLA_TILES.offset; },

  async load() {
    const data = await CC.api("GET", "/api/tickets/sla-summary");
    SLA_TILES.offset = Date.parse(data.at) - Date.now();
    SLA_TILES.data = data;
    return data;
  },

  render(box) {
    const data = SLA_TILES.data;
    if (!data) return;
    box.replaceChildren();
    for (const kind of SLA_TILES.KINDS) {
      const tile = CC.el("div", null, { class: "tile", "data-tile": kind });
      tile.append(CC.el("span", I18N.t("tile_" + kind)), CC.el("span", data[kind], { class: "n" }));
      box.append(tile);
    }
  },

  // Poll every `seconds` into the element `id` (the wallboard); hidden for a role the summary
  // refuses (an operator sees the wallboard without them).
  start(id, seconds) {
    const box = document.getElementById(id);
    const tick = async () => {
      try { await SLA_TILES.load(); } catch (err) {
        if (err.status === 403) { box.hidden = true; clearInterval(SLA_TILES.timer); }
        return;
      }
      box.hidden = false;
      SLA_TILES.render(box.querySelector(".tiles"));
    };
    I18N.onChange(() => SLA_TILES.render(box.querySelector(".tiles")));
    SLA_TILES.timer = setInterval(tick, seconds * 1000);
    tick();
  },
};
