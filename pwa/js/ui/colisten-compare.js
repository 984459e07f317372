// One co-listened conversation compared: traits agreed, one level apart, two apart (in words as well as
// colour), everyone's levels per trait, and a question to talk it through. Never anyone's note.

import { h } from "../dom.js";
import { clock } from "../time.js";
import { LEVEL_WORDS } from "./trait-picker.js";

const APART = ["Agreed", "1 level apart", "2 levels apart"];

function summary(label, traits, modifier) {
  return h("div", { class: `compare__group compare__group--${modifier}` },
    h("dt", {}, `${label} (${traits.length})`),
    h("dd", {}, traits.length ? traits.join(", ") : "—"));
}

export function comparisonCard(comparison, zone) {
  const heading = `Co-listen ${comparison.code} · ${clock(comparison.started_at, zone)}`;
  if (!comparison.ready) {
    return h("article", { class: "compare", dataset: { code: comparison.code } },
      h("h3", { class: "compare__title" }, heading),
      h("p", { class: "compare__waiting" }, comparison.other_rubric
        ? "Your colleague logged it on another rubric, so there is nothing to compare trait by trait."
        : "Your log has synced. The comparison shows here once a colleague's log of it has synced too."));
  }
  return h("article", { class: "compare", dataset: { code: comparison.code } },
    h("h3", { class: "compare__title" }, heading),
    h("dl", { class: "compare__summary" },
      summary("Agreed", comparison.agreed, "agreed"),
      summary("1 level apart", comparison.apart_one, "one"),
      summary("2 levels apart", comparison.apart_two, "two")),
    comparison.prompt ? h("p", { class: "compare__prompt" }, h("strong", {}, "Talk it through: "), comparison.prompt) : null,
    h("table", { class: "compare__table" },
      h("caption", { class: "visually-hidden" }, `How each of you tagged the conversation (${comparison.rubric || "rubric"})`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Trait"),
        comparison.observers.map((o) => h("th", { scope: "col" }, o.name)), h("th", { scope: "col" }, "Apart"))),
      h("tbody", {}, comparison.traits.map((trait) => h("tr", { class: `compare__row compare__row--apart${trait.spread}` },
        h("th", { scope: "row" }, trait.label),
        trait.levels.map((level) => h("td", { class: `compare__level compare__level--${level}` }, LEVEL_WORDS[level])),
        h("td", { class: "compare__apart" }, APART[trait.spread]))))));
}
