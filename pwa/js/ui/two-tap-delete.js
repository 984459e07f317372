// Delete in two taps: the first arms the button ("Tap again to delete") for a few seconds, the second
// deletes, once. A list redrawn between the taps (a sync, another tab) keeps the armed button armed,
// so the second tap is never lost; arming another disarms the first. My log's logs and checks share one.

import { h } from "../dom.js";

const ARMED_MS = 4000;

/** `root`: the list the buttons live in. `button(id, label, run)` makes the Delete of record `id`, and
 * `run()` deletes it (called once). */
export function twoTapDelete(root) {
  let armedId = null;
  let disarm = null;

  function show(button, on) {
    const label = button.dataset.label;
    if (on) button.dataset.armed = "1";
    else delete button.dataset.armed;
    button.textContent = on ? "Tap again to delete" : "Delete";
    button.setAttribute("aria-label", on ? label.replace("Delete", "Tap again to delete") : label);
  }

  function current(id) {
    const button = root.querySelector(`button[data-delete="${id}"]`);  // the one tapped, or its redraw
    return button && !button.dataset.deleting ? button : null;
  }

  function tap(button, id, run) {
    if (button.dataset.deleting) return;  // one deletion, however often "Tap again" is tapped
    clearTimeout(disarm);
    if (armedId !== null && armedId !== id) {  // arming another disarms the first
      const first = current(armedId);
      if (first) show(first, false);
    }
    if (button.dataset.armed) {
      button.dataset.deleting = "1";
      armedId = null;
      run();
      return;
    }
    armedId = id;
    show(button, true);
    disarm = setTimeout(() => {
      armedId = null;
      const armed = current(id);
      if (armed) show(armed, false);
    }, ARMED_MS);
  }

  return {
    button(id, label, run) {
      const button = h("button", { type: "button", class: "button button--small button--danger", "aria-label": label,
        dataset: { delete: id, label }, onclick: (event) => tap(event.currentTarget, id, run) }, "Delete");
      if (armedId === id) show(button, true);
      return button;
    },
  };
}
