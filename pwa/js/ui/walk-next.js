// "Walk next": today's planned conversations under way or starting soon that nobody has heard or
// checked this week, the never-heard-this-term first, with place and time. "Checked, not heard" opens the
// three reasons; one tap on a reason records the check. With nothing soon (an afternoon after the last
// meeting, a weekend) it says when and where the next one is, from the same cached bootstrap.

import { h } from "../dom.js";
import { OUTCOMES } from "../plan-checks.js";
import { dayWords } from "../plans.js";

export function walkNextList({ placeName, onCheck }) {
  const list = h("ul", { class: "walk-next__list" });
  const quiet = h("p", { class: "walk-next__quiet", id: "walk-next-quiet", hidden: true });
  const element = h("section", { class: "walk-next", id: "walk-next", "aria-labelledby": "walk-next-title", hidden: true },
    h("h2", { class: "step walk-next__title", id: "walk-next-title" }, "Walk next"), list, quiet);

  /** "No planned conversation to walk to now. Next: Monday 08:15, Grade 7 PLC · Room 12". */
  function sayAhead(ahead, now) {
    const when = ahead ? dayWords(ahead.day, now.day) : "";
    quiet.replaceChildren("No planned conversation to walk to now.", ...(ahead ? [" ",
      h("span", { class: "walk-next__ahead" }, "Next: ",
        h("strong", {}, `${when[0].toUpperCase()}${when.slice(1)} ${ahead.start}`), `, ${ahead.plan.name} · ${placeName(ahead.plan.location_id)}`)]
      : []));
  }

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
    /** Soon's occurrences; with none, `ahead` (the next one later, or null) is said instead. */
    render(occurrences, ahead = null, now = null) {
      list.replaceChildren(...occurrences.map(item));
      list.hidden = occurrences.length === 0;
      quiet.hidden = occurrences.length > 0;
      if (!occurrences.length) sayAhead(ahead, now);
      element.hidden = false;
    },
  };
}
