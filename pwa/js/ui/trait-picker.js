// The traits as big toggle buttons: each tap cycles not heard → heard → strong → not heard.

import { h } from "../dom.js";

export const LEVEL_WORDS = ["Not heard", "Heard", "Strong"];

export function traitPicker(onChange) {
  let levels = {};
  let buttons = [];
  const grid = h("div", { class: "traits", role: "group", "aria-labelledby": "traits-title" });

  function paint(button) {
    const level = levels[button.dataset.trait] || 0;
    button.dataset.level = String(level);
    button.setAttribute("aria-pressed", level > 0 ? "true" : "false");
    button.querySelector(".trait__state").textContent = LEVEL_WORDS[level];
  }

  function tap(event) {
    const button = event.currentTarget;
    const key = button.dataset.trait;
    const level = ((levels[key] || 0) + 1) % 3;
    if (level) levels[key] = level;
    else delete levels[key];
    paint(button);
    onChange(levels);
  }

  return {
    element: grid,
    setTraits(traits) {
      buttons = traits.map((trait) => h("button", {
        type: "button", class: "trait", dataset: { trait: trait.key }, onclick: tap,
        title: trait.description || null,
      },
      h("span", { class: "trait__label" }, trait.label),
      h("span", { class: "trait__pips", "aria-hidden": "true" }, h("span", { class: "pip" }), h("span", { class: "pip" })),
      h("span", { class: "trait__state" }, LEVEL_WORDS[0])));
      grid.replaceChildren(...buttons);
      buttons.forEach(paint);
    },
    get levels() { return { ...levels }; },
    set levels(value) { levels = { ...value }; buttons.forEach(paint); },
  };
}
