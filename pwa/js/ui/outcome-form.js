// Closing a follow-up: did the conversation lead to a change in practice, what changed and how it was
// seen, and (optionally) a later logged conversation that shows it: the list can be refilled once the
// server has answered (logs from other phones), keeping what was picked.

import { h } from "../dom.js";

export const OUTCOME_MAX = 280;

/** `later`: [{ id, label }] conversations heard after the one the follow-up came from, in the order shown.
 * Returns { element, offer(later) }. */
export function outcomeForm(followUp, { onDone, onCancel, later = [] }) {
  const prefix = `outcome-${followUp.id}`;
  const choice = (value, label) => h("label", { class: "choice" },
    h("input", { type: "radio", name: `${prefix}-changed`, value, class: "choice__input" }), h("span", {}, label));
  const note = h("textarea", { id: `${prefix}-note`, class: "field__input field__note", rows: "3", maxlength: String(OUTCOME_MAX),
    "aria-describedby": `${prefix}-hint` });
  const evidence = h("select", { id: `${prefix}-evidence`, class: "field__input", "aria-describedby": `${prefix}-evidence-hint` });
  const evidenceField = h("div", { class: "field" },
    h("label", { class: "field__label", for: evidence.id }, "A later log that shows it (optional)"), evidence,
    h("p", { class: "field__hint", id: `${prefix}-evidence-hint` },
      "Logs heard after the conversation it came from, where it started first."));
  const message = h("p", { class: "capture__message", role: "alert" });
  const element = h("form", { class: "outcome", "aria-label": "Complete the follow-up", onsubmit: submit },
    h("fieldset", { class: "choices" },
      h("legend", { class: "field__label" }, "Did practice change?"),
      choice("yes", "Yes, practice changed"), choice("no", "No change yet")),
    h("div", { class: "field" },
      h("label", { class: "field__label", for: note.id }, "What changed, and how did you see it? (optional)"), note,
      h("p", { class: "field__hint", id: `${prefix}-hint` }, "e.g. Heard the team plan a reteach from exit tickets. No names.")),
    evidenceField,
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
    onDone(picked.value === "yes", note.value.trim().slice(0, OUTCOME_MAX), evidence.value || null);
  }

  /** Show these later logs; a pick that is still among them stays picked. */
  function offer(logs) {
    const picked = evidence.value;
    evidence.replaceChildren(h("option", { value: "" }, "None"), ...logs.map((o) => h("option", { value: o.id }, o.label)));
    evidence.value = logs.some((o) => o.id === picked) ? picked : "";
    evidenceField.hidden = logs.length === 0;
  }

  offer(later);
  return { element, offer };
}
