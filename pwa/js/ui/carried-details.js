// What the last log at this place lends the next one (setting, kind, team), shown under the places
// so it is never a hidden default, with Clear to drop it in one tap.

import { h } from "../dom.js";

export function carriedDetails(onClear) {
  const values = h("strong", { class: "carried__values" });
  const element = h("div", { class: "carried", id: "capture-prefill", hidden: true },
    h("p", { class: "carried__text" }, h("span", { class: "carried__label" }, "As last time here: "), values),
    h("button", { type: "button", class: "button button--small button--secondary carried__clear",
      "aria-label": "Clear setting, kind and team", onclick: () => onClear() }, "Clear"));

  return {
    element,
    /** Show the carried words ("Formal", "PLC", "Grade 7"), or hide when there are none. */
    show(words) {
      values.replaceChildren(...words.flatMap((word, n) => [n ? " " : "", h("span", { class: "carried__value" },
        n < words.length - 1 ? `${word} ·` : word)]));  // a line breaks between values, never inside one
      element.hidden = words.length === 0;
    },
  };
}
