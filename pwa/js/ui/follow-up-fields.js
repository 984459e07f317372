// What to do, who does it (me by default), and when: shared by the capture screen and the Follow-ups tab.

import { h } from "../dom.js";
import { owners } from "../owners.js";
import * as session from "../session.js";
import { dayKey, isoFromLocal } from "../time.js";

export const ACTION_MAX = 280;
const DEFAULT_TIME = "15:00";

export function followUpFields(prefix) {
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

  return {
    element,
    async reset() {
      const me = session.state.user.id;
      owner.replaceChildren(...(await owners()).map((o) => h("option", { value: String(o.id) }, o.id === me ? `Me (${o.name})` : o.name)));
      owner.value = String(me);
      action.value = "";
      date.value = dayKey(new Date(Date.now() + 86400000).toISOString(), session.school().timezone);
      time.value = DEFAULT_TIME;
    },
    /** The draft, or a message saying what is missing. */
    read() {
      const text = action.value.trim();
      if (!text) return { problem: "Say what is to be done.", focus: action };
      if (!date.value || !time.value) return { problem: "Choose when it is due.", focus: date };
      return { action: text.slice(0, ACTION_MAX), owner_id: Number(owner.value),
        due_at: isoFromLocal(date.value, time.value, session.school().timezone) };
    },
  };
}
