// One short confirmation at a time, with an optional action such as Undo.

import { $, h } from "../dom.js";

const SHOW_MS = 6000;
let timer = null;

export function toast(message, action = null) {
  const box = $("#toast");
  clearTimeout(timer);
  const parts = [h("span", { class: "toast__text" }, message)];
  if (action) {
    parts.push(h("button", { type: "button", class: "toast__action", onclick: () => { hide(); action.run(); } }, action.label));
  }
  box.replaceChildren(...parts);
  box.classList.add("toast--shown");
  timer = setTimeout(hide, SHOW_MS);
}

export function hide() {
  const box = $("#toast");
  box.classList.remove("toast--shown");
  box.replaceChildren();
}
