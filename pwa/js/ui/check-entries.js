// My log's "Checked, not heard": this phone's checks of planned conversations, each with its reason
// (changeable) and Delete, like a log. Loaded on demand with the other plan modules.

import { h } from "../dom.js";
import { OUTCOMES, reviseCheck } from "../plan-checks.js";
import { useStyles } from "../plan-capture.js";
import { plansOf } from "../plans.js";
import * as session from "../session.js";
import { toast } from "./toast.js";

function nameOf(check) {
  if (check.label) return check.label;
  const plan = plansOf(session.school()).find((p) => p.id === check.plan_id);
  return `${plan ? plan.name : "Planned conversation"}, ${check.day}`;
}

function entry(check, pending, deletes) {
  const name = nameOf(check);
  const reason = h("select", { class: "field__input check-entry__reason", "aria-label": `Why ${name} was not heard`,
    onchange: async () => { await reviseCheck(check.id, { outcome: reason.value }); toast("Changed."); } },
  ...Object.entries(OUTCOMES).map(([value, words]) => h("option", { value, selected: value === check.outcome }, words)));
  const remove = deletes.button(check.id, `Delete the check of ${name}`,
    () => reviseCheck(check.id, null).then((gone) => gone && toast("Check deleted.")));
  return h("li", { class: "entry check-entry", dataset: { id: check.id } },
    h("div", { class: "entry__head" }, h("strong", { class: "entry__place" }, name),
      pending ? h("span", { class: "badge badge--pending" }, "Waiting to sync") : null),
    h("div", { class: "entry__actions" }, reason, remove));
}

/** Fill `container` with the checks (newest first); `pending`: ids still in the outbox; `deletes`: My log's
 * two-tap Deletes (ui/two-tap-delete.js). */
export function renderChecks(container, checks, pending, deletes) {
  useStyles();
  container.hidden = checks.length === 0;
  container.replaceChildren(h("h3", { class: "log__heading" }, "Checked, not heard"),
    h("ul", { class: "entries" }, checks.map((check) => entry(check, pending.has(check.id), deletes))));
}
