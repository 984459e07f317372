// Which planned occurrence a log belongs to: a suggestion when the log is made at a plan's place
// during its time ("Grade 7 PLC, Tue 15:00?" — Yes / No), the link once accepted (Unlink), or a
// choice of today's occurrences by hand. read() gives the sync record's plan_id and plan_day.

import { h } from "../dom.js";
import { labelOf } from "../plans.js";

export function planLink() {
  let linked = null;     // { plan_id, plan_day, label }
  let suggested = null;  // an occurrence
  let declined = null;   // the key of the suggestion answered No
  let options = [];
  const text = h("p", { class: "plan-link__text" });
  const yes = h("button", { type: "button", class: "button button--small button--primary", id: "plan-link-yes",
    onclick: () => link(suggested) }, "Yes");
  const no = h("button", { type: "button", class: "button button--small button--secondary", id: "plan-link-no",
    onclick: () => { declined = suggested.key; paint(); } }, "No");
  const unlink = h("button", { type: "button", class: "button button--small button--secondary", id: "plan-link-unlink",
    onclick: () => { linked = null; if (suggested) declined = suggested.key; paint(); } }, "Unlink");
  const picker = h("select", { class: "field__input plan-link__picker", id: "plan-link-pick",
    onchange: () => link(options.find((o) => o.key === picker.value) || null) });
  const pick = h("div", { class: "plan-link__pick" },
    h("label", { class: "plan-link__label", for: "plan-link-pick" }, "Planned conversation"), picker);
  const actions = h("div", { class: "plan-link__actions" }, yes, no, unlink);
  const element = h("div", { class: "plan-link", id: "plan-link", hidden: true }, text, actions, pick);

  function link(occurrence) {
    linked = occurrence ? { plan_id: occurrence.plan.id, plan_day: occurrence.day, label: labelOf(occurrence) } : null;
    paint();
  }

  function paint() {
    const asking = !linked && suggested && suggested.key !== declined;
    text.replaceChildren(...(linked ? [h("span", { class: "plan-link__muted" }, "Planned: "), h("strong", {}, linked.label)]
      : asking ? [h("strong", {}, `${labelOf(suggested)}?`)] : []));
    text.hidden = !linked && !asking;
    yes.hidden = no.hidden = !asking;
    unlink.hidden = !linked;
    actions.hidden = !linked && !asking;
    pick.hidden = Boolean(linked) || asking || options.length === 0;
    picker.replaceChildren(h("option", { value: "" }, "None"),
      ...options.map((o) => h("option", { value: o.key }, `${o.start} ${o.plan.name}`)));
    picker.value = "";
    element.hidden = text.hidden && pick.hidden;
  }

  return {
    element,
    /** What the screen knows now: the occurrence under way here (or null) and today's, to pick from. */
    update(nextSuggested, nextOptions) {
      suggested = nextSuggested;
      options = nextOptions;
      paint();
    },
    read: () => ({ plan_id: linked ? linked.plan_id : null, plan_day: linked ? linked.plan_day : null }),
    reset() { linked = null; declined = null; paint(); },
    load(observation, label) {
      linked = observation.plan_id ? { plan_id: observation.plan_id, plan_day: observation.plan_day, label } : null;
      declined = suggested ? suggested.key : null;  // an edit is never re-suggested
      paint();
    },
  };
}
