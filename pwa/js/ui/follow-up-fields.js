// What to do, who does it (me by default), and when: shared by the capture screen and the Follow-ups tab.

import { h } from "../dom.js";
import { owners } from "../owners.js";
import * as session from "../session.js";
import { dayKey, isoFromLocal } from "../time.js";

export const ACTION_MAX = 280;
const DEFAULT_TIME = "15:00";

/** `fromLog`: the follow-up comes from a logged conversation, so it may ask for a re-listen there. */
export function followUpFields(prefix, { fromLog = false } = {}) {
  const id = (name) => `${prefix}-${name}`;
  const action = h("textarea", { id: id("action"), class: "field__input field__note", rows: "2", maxlength: String(ACTION_MAX),
    "aria-describedby": id("action-hint") });
  const owner = h("select", { id: id("owner"), class: "field__input" });
  const date = h("input", { id: id("date"), class: "field__input", type: "date", required: true });
  const time = h("input", { id: id("time"), class: "field__input", type: "time", required: true });
  const field = (label, control, ...extra) =>
    h("div", { class: "field" }, h("label", { class: "field__label", for: control.id }, label), control, ...extra);
  const element = h("div", { class: "follow-up-fields" },
    field("What to do", action, h("p", { class: "field__hint", id: id("action-hint") }, "e.g. Ask the team how the exit tickets went. No names.")),
    field("Who", owner),
    h("div", { class: "field-row" }, field("Due day", date), field("Time", time)));
  const relisten = h("input", { type: "checkbox", id: id("relisten"), class: "switch__input" });
  if (fromLog) {
    relisten.setAttribute("aria-describedby", id("relisten-hint"));
    element.append(h("div", { class: "field" },
      h("label", { class: "switch", for: relisten.id }, relisten, h("span", { class: "switch__text" }, "Listen again when it is due")),
      h("p", { class: "field__hint", id: id("relisten-hint") }, "A reminder on the due day to go back where this was heard.")));
  }

  return {
    element,
    async reset() {
      const me = session.state.user.id;
      owner.replaceChildren(...(await owners()).map((o) => h("option", { value: String(o.id) }, o.id === me ? `Me (${o.name})` : o.name)));
      owner.value = String(me);
      action.value = "";
      relisten.checked = false;
      date.value = dayKey(new Date(Date.now() + 86400000).toISOString(), session.school().timezone);
      time.value = DEFAULT_TIME;
    },
    /** The draft, or a message saying what is missing. */
    read() {
      const text = action.value.trim();
      if (!text) return { problem: "Say what is to be done.", focus: action };
      if (!date.value || !time.value) return { problem: "Choose when it is due.", focus: date };
      return { action: text.slice(0, ACTION_MAX), owner_id: Number(owner.value),
        due_at: isoFromLocal(date.value, time.value, session.school().timezone), relisten: fromLog && relisten.checked };
    },
  };
}
