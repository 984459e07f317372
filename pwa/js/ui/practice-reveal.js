// After an answer: per trait, your level beside the reference and why, and colleagues' spread once five answered.

import { h } from "../dom.js";
import { LEVEL_WORDS } from "./trait-picker.js";

function spread(counts) {
  if (!counts) return null;
  const total = counts.not_heard + counts.heard + counts.strong;
  return h("p", { class: "reveal__colleagues" },
    `Colleagues: ${counts.not_heard} not heard · ${counts.heard} heard · ${counts.strong} strong (of ${total})`);
}

export function practiceReveal(result, { waiting = false } = {}) {
  const total = result.traits.length;
  return h("section", { class: "reveal", "aria-labelledby": "reveal-title" },
    h("h3", { class: "reveal__title", id: "reveal-title" }, `You matched the reference on ${result.agreed} of ${total} traits`),
    waiting ? h("p", { class: "reveal__note" }, "Saved on this phone; it goes to the server when you're back online.") : null,
    h("ul", { class: "reveal__traits" }, result.traits.map((trait) => h("li", {
      class: `reveal__trait reveal__trait--${trait.agrees ? "agrees" : "differs"}`, dataset: { trait: trait.key } },
      h("div", { class: "reveal__head" },
        h("span", { class: "reveal__label" }, trait.label),
        h("span", { class: "reveal__mark" }, trait.agrees ? "Same as reference" : "Differs")),
      h("p", { class: "reveal__levels" },
        `You: ${LEVEL_WORDS[trait.your_level].toLowerCase()} · Reference: ${LEVEL_WORDS[trait.reference_level].toLowerCase()}`),
      h("p", { class: "reveal__why" }, trait.why),
      spread(trait.colleagues)))),
    result.colleagues_answered === null
      ? h("p", { class: "reveal__note" }, "How colleagues rated it shows once five of them have answered, never by name.")
      : h("p", { class: "reveal__note" }, `${result.colleagues_answered} colleagues have answered this scenario.`));
}
