// Saving a log with no trait heard is real data, but a deliberate choice: Save asks first, and the
// answer is a button of its own above the Save bar, so a double tap on Save can never be the answer.

import { h } from "../dom.js";

export function noTraitsQuestion(onSave) {
  const text = h("p", { class: "no-traits__text", role: "status" });
  const element = h("div", { class: "no-traits", id: "no-traits", role: "group", "aria-labelledby": "no-traits-title", hidden: true },
    h("p", { class: "no-traits__title", id: "no-traits-title" }, "No traits heard?"),
    text,
    h("button", { type: "button", class: "button button--secondary no-traits__save", onclick: () => onSave() },
      "Save with no traits heard"));

  return {
    element,
    get asking() { return !element.hidden; },
    ask() {
      element.hidden = false;
      text.textContent = "";  // set again so screen readers hear it each time
      text.textContent = "Nothing is tapped. Tap what you heard, or save it as a conversation where none was heard.";
      element.scrollIntoView({ block: "nearest" });
    },
    withdraw() { element.hidden = true; },
  };
}
