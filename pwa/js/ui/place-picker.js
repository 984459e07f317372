// Places as chips, most recently used first; the rest in a select so the list stays one thumb-scroll.

import { h } from "../dom.js";

const CHIPS = 6;

export function placePicker(onChange) {
  let selected = null;
  const chips = h("div", { class: "places", role: "group", "aria-labelledby": "places-title" });
  const other = h("select", { class: "places__other", id: "place-other", "aria-label": "Other place" });
  other.addEventListener("change", () => choose(Number(other.value) || null));
  const element = h("div", { class: "places-wrap" }, chips, other);

  function choose(id) {
    selected = id;
    for (const chip of chips.children) chip.setAttribute("aria-pressed", String(Number(chip.dataset.id) === id));
    if (![...chips.children].some((chip) => Number(chip.dataset.id) === id)) other.value = id ? String(id) : "";
    else other.value = "";
    onChange(id);
  }

  return {
    element,
    setPlaces(locations, recentIds) {
      const rank = (l) => { const i = recentIds.indexOf(l.id); return i === -1 ? Infinity : i; };
      const ordered = [...locations].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
      const shown = ordered.slice(0, CHIPS);
      const rest = ordered.slice(CHIPS).sort((a, b) => a.name.localeCompare(b.name));
      chips.replaceChildren(...shown.map((place) => h("button", {
        type: "button", class: "chip", dataset: { id: String(place.id) }, "aria-pressed": "false",
        onclick: () => choose(place.id),
      }, place.name)));
      other.replaceChildren(h("option", { value: "" }, "Other place…"),
        ...rest.map((place) => h("option", { value: String(place.id) }, place.name)));
      other.hidden = rest.length === 0;
      if (selected && !locations.some((l) => l.id === selected)) selected = null;
      choose(selected);
    },
    get value() { return selected; },
    set value(id) { choose(id); },
  };
}
