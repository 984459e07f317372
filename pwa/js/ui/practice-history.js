// A person's own agreement with the reference per trait, month by month: a mirror, not a grade.

import { h } from "../dom.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const monthName = (ym) => `${MONTHS[Number(ym.slice(5, 7)) - 1]} ${ym.slice(0, 4)}`;

export function practiceHistory(history) {
  if (!history || !history.rubrics.length) {
    return h("p", { class: "screen__lead" }, "Your agreement with the reference shows here once you have rated a scenario.");
  }
  return h("div", { class: "history" }, history.rubrics.map((rubric) => h("section", { class: "card history__rubric" },
    h("h3", { class: "history__title" }, rubric.name),
    h("table", { class: "history__table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Trait"),
        rubric.months.map((m) => h("th", { scope: "col" }, `${monthName(m.month)} (${m.answers})`)))),
      h("tbody", {}, rubric.months[0].traits.map((trait, index) => h("tr", {},
        h("th", { scope: "row" }, trait.label),
        rubric.months.map((m) => {
          const t = m.traits[index];
          return h("td", {}, t.answered ? `${t.agreed} of ${t.answered}` : "–");
        }))))))));
}
