// Practice: rate a written scenario with the capture screen's trait picker, then see the reference, why,
// and how colleagues rated it; works offline from the phone's cache. Every role practises, viewers too.

import { h, replace } from "../dom.js";
import { oneAtATime } from "../once.js";
import { answer, historyOf, practiceOf, refreshPractice, sendPractice } from "../practice.js";
import * as session from "../session.js";
import { practiceHistory } from "../ui/practice-history.js";
import { practiceReveal } from "../ui/practice-reveal.js";
import { traitPicker } from "../ui/trait-picker.js";

const SETTING_WORDS = { informal: "Informal", formal: "Formal" };

export function practiceScreen(root) {
  let openId = null;
  let historyShown = false;

  function traitsOf(rubricId) {
    const rubric = (session.school()?.rubrics || []).find((r) => r.id === rubricId);
    return rubric ? rubric.traits : [];
  }

  function card(row) {
    const status = row.local ? "Saved, waiting to send" : row.result ? `Matched ${row.result.agreed} of ${row.result.traits.length}` : "Not rated yet";
    return h("li", {},
      h("button", { type: "button", class: "practice__item", dataset: { scenario: row.scenario.id },
        onclick: () => { openId = row.scenario.id; render().then(() => window.scrollTo(0, 0)); } },
      h("span", { class: "practice__name" }, row.scenario.title),
      h("span", { class: "practice__meta" }, `${SETTING_WORDS[row.scenario.setting]} · ${status}`)));
  }

  function detail(row) {
    const traits = traitsOf(row.scenario.rubric_id);
    const picker = traitPicker(() => {});
    picker.element.setAttribute("aria-labelledby", "practice-traits-title");
    picker.setTraits(traits);
    const submit = oneAtATime(async () => {
      await answer(row, traits, picker.levels);
      await render();
      sendPractice(session.state.user.id).catch(() => {});
    });
    const back = h("button", { type: "button", class: "button button--small button--secondary",
      onclick: () => { openId = null; render().then(() => window.scrollTo(0, 0)); } }, "All scenarios");
    return h("article", { class: "practice__scenario", "aria-labelledby": "scenario-title" },
      back,
      h("h2", { class: "screen__title", id: "scenario-title" }, row.scenario.title),
      h("p", { class: "practice__meta" }, `${SETTING_WORDS[row.scenario.setting]} conversation`),
      h("dl", { class: "dialogue" }, row.scenario.lines.flatMap((line) => [
        h("dt", { class: "dialogue__speaker" }, line.speaker), h("dd", { class: "dialogue__text" }, line.text)])),
      row.result ? practiceReveal(row.result, { waiting: Boolean(row.local) }) : [
        h("h3", { class: "practice__ask", id: "practice-traits-title" }, "What did you hear? Tap each trait: heard, strong, or leave it."),
        picker.element,
        h("button", { type: "button", class: "button button--primary practice__submit", onclick: submit,
          disabled: row.key ? null : true }, "Rate and see the reference"),
        row.key ? null : h("p", { class: "reveal__note" }, "Connect once to load this scenario's reference."),
      ]);
  }

  async function history() {
    const box = h("div", { class: "practice__history" }, h("p", { class: "screen__lead" }, "Loading your history…"));
    historyOf(session.state.user.id, session.state.schoolId).then(({ history, savedAt }) => box.replaceChildren(
      ...(savedAt ? [h("p", { class: "reveal__note practice__saved" },
        `Offline: your history as saved on ${new Date(savedAt).toLocaleString()}.`)] : []),
      practiceHistory(history)))
      .catch(() => box.replaceChildren(h("p", { class: "screen__lead" }, "Your history needs a connection once.")));
    return box;
  }

  async function render() {
    const user = session.state.user;
    if (!user) return;
    const rows = await practiceOf(user.id, session.state.schoolId);
    const open = rows.find((r) => r.scenario.id === openId);
    if (open) { root.replaceChildren(detail(open)); return; }
    const toggle = h("button", { type: "button", class: "button button--small button--secondary",
      "aria-expanded": historyShown ? "true" : "false", onclick: () => { historyShown = !historyShown; render(); } },
    historyShown ? "Hide my history" : "My agreement over time");
    replace(root,
      h("h2", { class: "screen__title", id: "practice-title" }, "Practice"),
      h("p", { class: "screen__lead" }, "Read a short conversation, rate what you hear, then compare with the reference. Practice never counts in the school's reports."),
      toggle, historyShown ? await history() : null,
      rows.length ? h("ul", { class: "practice__list" }, rows.map(card))
        : h("p", { class: "screen__lead" }, "No scenarios yet. Connect once to load them."));
  }

  /** Show the cache, then bring it up to date and send any waiting answers (both quietly fail offline). */
  async function show() {
    await render();
    const user = session.state.user;
    if (!user || !session.state.schoolId) return;
    await sendPractice(user.id).catch(() => {});
    await refreshPractice(user.id, session.state.schoolId).catch(() => {});
  }

  return { render, show, element: root };
}
