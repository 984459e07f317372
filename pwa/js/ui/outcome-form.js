// Closing a follow-up: did the conversation lead to a change in practice, and a short evidence note.

import { h } from "../dom.js";

export const OUTCOME_MAX = 280;

export function outcomeForm(followUp, { onDone, onCancel }) {
  const prefix = `outcome-${followUp.id}`;
  const choice = (value, label) => h("label", { class: "choice" },
    h("input", { type: "radio", name: `${prefix}-changed`, value, class: "choice__input" }), h("span", {}, label));
  const note = h("textarea", { id: `${prefix}-note`, class: "field__input field__note", rows: "3", maxlength: String(OUTCOME_MAX),
    "aria-describedby": `${prefix}-hint` });
  const message = h("p", { class: "capture__message", role: "alert" });
  const element = h("form", { class: "outcome", "aria-label": "Complete the follow-up", onsubmit: submit },
    h("fieldset", { class: "choices" },
      h("legend", { class: "field__label" }, "Did practice change?"),
      choice("yes", "Yes, practice changed"), choice("no", "No change yet")),
    h("div", { class: "field" },
      h("label", { class: "field__label", for: note.id }, "Evidence (optional)"), note,
      h("p", { class: "field__hint", id: `${prefix}-hint` }, "No names: what changed, not who.")),
    message,
    h("div", { class: "entry__actions" },
      h("button", { type: "submit", class: "button button--small button--primary" }, "Mark done"),
      h("button", { type: "button", class: "button button--small button--secondary", onclick: onCancel }, "Cancel")));

  function submit(event) {
    event.preventDefault();
    const picked = element.querySelector(`input[name="${prefix}-changed"]:checked`);
    if (!picked) {
      message.textContent = "Say whether practice changed.";
      element.querySelector("input[type=radio]").focus();
      return;
    }
    onDone(picked.value === "yes", note.value.trim().slice(0, OUTCOME_MAX));
  }

  return element;
}
