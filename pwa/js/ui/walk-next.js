// "Walk next": today's planned conversations under way or starting soon that nobody has heard or
// checked this week, the never-heard-this-term first, with place and time. "Checked, not heard" opens the
// three reasons; one tap on a reason records the check.

import { h } from "../dom.js";
import { OUTCOMES } from "../plan-checks.js";

export function walkNextList({ placeName, onCheck }) {
  const list = h("ul", { class: "walk-next__list" });
  const element = h("section", { class: "walk-next", id: "walk-next", "aria-labelledby": "walk-next-title", hidden: true },
    h("h2", { class: "step walk-next__title", id: "walk-next-title" }, "Walk next"), list);

  function reasons(occurrence, row) {
    const group = h("div", { class: "walk-next__reasons", role: "group", "aria-label": `Why ${occurrence.plan.name} was not heard` },
      ...Object.entries(OUTCOMES).map(([outcome, words]) => h("button", { type: "button",
        class: "button button--small button--secondary", dataset: { outcome },
        onclick: () => onCheck(occurrence, outcome) }, words)));
    row.append(group);
    group.querySelector("button").focus();
  }

  function item(occurrence) {
    const unheard = occurrence.state === "never_heard";
    const more = h("button", { type: "button", class: "button button--small button--secondary walk-next__check",
      "aria-expanded": "false", "aria-label": `${occurrence.plan.name}: checked, not heard`,
      onclick: (event) => {
        const open = event.currentTarget.getAttribute("aria-expanded") === "true";
        event.currentTarget.setAttribute("aria-expanded", String(!open));
        if (open) row.querySelector(".walk-next__reasons")?.remove(); else reasons(occurrence, row);
      } }, "Checked, not heard");
    const row = h("li", { class: "walk-next__item", dataset: { plan: occurrence.plan.id, day: occurrence.day } },
      h("div", { class: "walk-next__what" },
        h("strong", { class: "walk-next__name" }, occurrence.plan.name),
        h("span", { class: "walk-next__where" }, `${occurrence.start}–${occurrence.end} · ${placeName(occurrence.plan.location_id)}`,
          unheard ? " " : null, unheard ? h("span", { class: "badge badge--unheard" }, "Not heard this term") : null)),
      more);
    return row;
  }

  return {
    element,
    render(occurrences) {
      list.replaceChildren(...occurrences.map(item));
      element.hidden = occurrences.length === 0;
    },
  };
}
