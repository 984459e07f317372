// Listen together: start a co-listen (the code and its QR, drawn offline) or join one (type the code, or
// scan it where the browser has BarcodeDetector), then the comparisons of one's co-listened logs.
// Blind: this screen shows others' tags only in a comparison the server sent after this phone's log synced.

import * as colisten from "../colisten.js";
import { h } from "../dom.js";
import { oneAtATime } from "../once.js";
import { entriesOf } from "../outbox.js";
import * as session from "../session.js";
import { clock } from "../time.js";
import { comparisonCard } from "../ui/colisten-compare.js";
import { qrSvg } from "../ui/qr.js";
import { toast } from "../ui/toast.js";

export function colistenScreen(root, { logNow }) {
  let scanning = null;
  const message = h("p", { class: "colisten__message", role: "alert" });
  const input = h("input", { id: "colisten-code", class: "colisten__input", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", maxlength: "12", "aria-describedby": "colisten-code-hint" });
  const video = h("video", { class: "colisten__video", playsinline: true, muted: true, hidden: true, "aria-label": "Camera" });

  async function join(text) {
    const code = colisten.readCode(text);
    if (!code) {
      message.textContent = `A code is ${colisten.LENGTH} letters and digits, like K7QW3P (no 0, 1, I, L or O).`;
      input.focus();
      return;
    }
    stopScan();
    await colisten.join(session.context(), code);
    toast(`Joined co-listen ${code}. Log the conversation as you heard it.`);
    await render();
  }

  async function start() {
    await colisten.start(session.context());
    await render();
  }

  /** "End co-listen": one tap, one end (a second tap while it is written joins it). */
  const end = oneAtATime(async () => {
    const ended = await colisten.end(session.context());
    if (ended) toast(`Co-listen ${ended.code} ended on this phone. Your next log is an ordinary one.`);
    await render();
  });

  /** Opened from the lead's QR (a join link /colisten?code=…, read by any camera app): join at once, offline.
   * The code leaves the address first, so a reload or Back after ending does not join again. */
  async function joinFromLink(current) {
    const params = new URLSearchParams(window.location.search);
    if (!params.has("code")) return;
    const code = colisten.readCode(params.get("code"));
    window.history.replaceState(window.history.state, "", window.location.pathname);
    if (!code) {
      message.textContent = "That link holds no co-listen code. Type the code from the lead's phone instead.";
    } else if (!current) {
      await colisten.join(session.context(), code);
      toast(`Joined co-listen ${code}. Log the conversation as you heard it.`);
    } else if (current.code !== code) {
      message.textContent = `You are in co-listen ${current.code}. End it first to join ${code}.`;
    }
  }

  /** Scan the lead's QR with the camera; typing the code always works too. */
  async function scan() {
    message.textContent = "";
    try {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      scanning = setInterval(async () => {
        const [found] = await detector.detect(video).catch(() => []);
        if (found && scanning) join(found.rawValue);
      }, 300);
    } catch {
      stopScan();
      message.textContent = "The camera is not available here: type the code instead.";
    }
  }

  function stopScan() {
    clearInterval(scanning);
    scanning = null;
    if (video.srcObject) for (const track of video.srcObject.getTracks()) track.stop();
    video.srcObject = null;
    video.hidden = true;
  }

  function activePanel(current) {
    const stopIt = h("button", { type: "button", class: "button button--secondary", id: "colisten-end", onclick: end },
      "End co-listen");
    const logIt = h("button", { type: "button", class: "button button--primary", id: "colisten-log", onclick: () => logNow() },
      "Log the conversation");
    if (!current.lead) {
      return h("div", { class: "colisten__card", id: "colisten-active" },
        h("p", { class: "colisten__label" }, "You joined co-listen"),
        h("p", { class: "colisten__code", id: "colisten-joined" }, current.code),
        h("p", { class: "colisten__hint" }, "Log what you hear on your own. You will see each other's tags once both logs have synced. Ending it here leaves the co-listen: your next log is an ordinary one."),
        h("div", { class: "colisten__actions" }, logIt, stopIt));
    }
    return h("div", { class: "colisten__card", id: "colisten-active" },
      h("p", { class: "colisten__label" }, "Your co-listen code"),
      h("p", { class: "colisten__code", id: "colisten-lead-code", "aria-label": `Code ${current.code.split("").join(" ")}` }, current.code),
      qrSvg(colisten.joinLink(current.code), `QR code for co-listen ${current.code}`),
      h("p", { class: "colisten__hint" }, "Colleagues scan this with their camera or type the code. No signal needed: the server links the logs when your phones sync. Ending the co-listen closes it: logs made after that stay ordinary logs."),
      h("div", { class: "colisten__actions" }, logIt, stopIt));
  }

  function startPanel() {
    const canScan = "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia;
    return h("div", { class: "colisten__choices" },
      h("div", { class: "colisten__card" },
        h("h3", { class: "colisten__step" }, "Lead the co-listen"),
        h("p", { class: "colisten__hint" }, "Your phone makes a code for colleagues to join."),
        h("button", { type: "button", class: "button button--primary", id: "colisten-start", onclick: start }, "Start a co-listen")),
      h("form", { class: "colisten__card", onsubmit: (event) => { event.preventDefault(); join(input.value); } },
        h("h3", { class: "colisten__step" }, h("label", { for: "colisten-code" }, "Join with a code")),
        h("p", { class: "colisten__hint", id: "colisten-code-hint" }, "Six letters and digits, from the lead's phone."),
        input,
        h("div", { class: "colisten__actions" },
          h("button", { type: "submit", class: "button button--primary", id: "colisten-join" }, "Join"),
          canScan ? h("button", { type: "button", class: "button button--secondary", onclick: scan }, "Scan the QR code") : null),
        video));
  }

  async function history(ctx) {
    const zone = session.school().timezone;
    const pending = new Set((await entriesOf(ctx.userId)).map((e) => e.id));
    const compared = new Map((await colisten.comparisons(ctx)).map((c) => [c.code, c]));
    const cards = [];
    const seen = new Set();
    for (const log of await colisten.codedLogs(ctx)) {
      if (seen.has(log.colisten_code)) continue;
      seen.add(log.colisten_code);
      const comparison = compared.get(log.colisten_code);
      if (comparison && !pending.has(log.id)) { cards.push(comparisonCard(comparison, zone)); continue; }
      const why = pending.has(log.id) ? "Your log is waiting to sync. Tags stay hidden until it has."
        : log.colisten?.message || "Synced. The comparison shows once a colleague's log has synced too.";
      cards.push(h("article", { class: "compare", dataset: { code: log.colisten_code } },
        h("h3", { class: "compare__title" }, `Co-listen ${log.colisten_code} · ${clock(log.observed_at, zone)}`),
        h("p", { class: "compare__waiting" }, why),
        pending.has(log.id) ? null : h("button", { type: "button", class: "link-button", onclick: refresh }, "Check again")));
    }
    return h("section", { class: "colisten__history", "aria-labelledby": "colisten-history" },
      h("h3", { class: "log__heading", id: "colisten-history" }, "Your co-listens"),
      cards.length ? cards : h("p", { class: "log__empty" }, "No co-listened logs yet."));
  }

  async function render() {
    if (!session.school()) return;
    const ctx = session.context();
    await joinFromLink(await colisten.active(ctx));
    const current = await colisten.active(ctx);
    const past = await history(ctx);
    const choices = current ? activePanel(current) : startPanel();
    const hasPast = Boolean(past.querySelector(".compare"));  // what came back after a sync goes first
    root.replaceChildren(
      h("h2", { class: "screen__title", id: "colisten-title" }, "Listen together"),
      h("p", { class: "screen__lead" }, "Two or more of you log the same conversation on your own phones, blind: no one sees the others' tags until all have saved and synced. Then compare, and talk about what you each heard."),
      ...(hasPast && !current ? [past, choices, message] : [choices, message, past]));
  }

  /** Opened (or "Check again"): ask the server for comparisons, then show what this phone holds. */
  async function refresh() {
    await render();
    if (!navigator.onLine || !session.state.user) return;
    await colisten.refreshComparisons(session.state.user.id).catch(() => {});
  }

  return { render, refresh, hide: stopScan };
}
