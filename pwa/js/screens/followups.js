// Follow-ups: every overdue one (mine or given to a colleague) first, then mine by when they are
// due, the rest given to colleagues, the reminders box, and the closed ones; complete, snooze or
// drop each, offline. /follow-ups?id=… opens that one.

import { h } from "../dom.js";
import { completeFollowUp, createFollowUp, dropFollowUp, followUpsOf, snoozeFollowUp, standing } from "../follow-ups.js";
import { oneAtATime } from "../once.js";
import { entriesOf } from "../outbox.js";
import { owners } from "../owners.js";
import { observationsOf } from "../records.js";
import * as session from "../session.js";
import { clock, dayLabel } from "../time.js";
import { followUpFields } from "../ui/follow-up-fields.js";
import { toast } from "../ui/toast.js";

const OPEN_GROUPS = [["overdue", "Overdue"], ["soon", "Due this week"], ["later", "Later"], ["others", "Given to colleagues"]];
const CLOSED_GROUPS = [["closed", "Closed"]];
const CLOSED_SHOWN = 10;

export function followUpsScreen(root, { afterSave, pushPanel }) {
  const fields = followUpFields("new-follow-up");
  const message = h("p", { class: "capture__message", role: "alert" });
  const form = h("form", { class: "card", hidden: true, "aria-label": "New follow-up", onsubmit: create },
    fields.element, message, h("div", { class: "entry__actions" },
      h("button", { type: "submit", class: "button button--small button--primary" }, "Add follow-up"),
      h("button", { type: "button", class: "button button--small button--secondary", onclick: () => { form.hidden = true; } }, "Cancel")));
  const add = h("button", { type: "button", class: "button button--secondary", id: "new-follow-up",
    onclick: async () => { await fields.reset(); draftId = crypto.randomUUID(); form.hidden = false; form.querySelector("textarea").focus(); } }, "New follow-up");
  const openLists = h("div", { class: "follow-ups__open" });
  const closedLists = h("div", { class: "follow-ups__closed" });
  // The reminders box sits between what is open and what is closed, so it is seen without
  // scrolling past every closed follow-up.
  const lists = h("div", { id: "follow-up-lists" }, openLists, pushPanel, closedLists);
  root.replaceChildren(h("h2", { class: "screen__title", id: "followups-title" }, "Follow-ups"), add, form, lists);
  let opened = null;
  let focused = null;
  let draftId = null;  // one per opened form: however often it is submitted, one follow-up

  function create(event) {
    event.preventDefault();
    return adding();
  }

  const adding = oneAtATime(async () => {
    const draft = fields.read();
    if (draft.problem) { message.textContent = draft.problem; draft.focus.focus(); return; }
    if (form.hidden) return;  // already added by a tap before this one
    message.textContent = "";
    await createFollowUp(session.context(), { ...draft, id: draftId });
    form.hidden = true;
    toast("Follow-up added.");
    afterSave();
  });

  /** One change at a time: taps while one is written are not changes of their own. */
  const act = oneAtATime(async (run, text) => {
    if (await run()) toast(text);
    afterSave();
  });

  function dueText(followUp, timeZone) {
    const at = followUp.snoozed_until || followUp.due_at;
    const when = `${dayLabel(at, timeZone)}, ${clock(at, timeZone)}`;
    if (followUp.status === "done") {
      const outcome = followUp.changed_practice ? "Done: practice changed" : "Done: no change yet";
      return followUp.evidence_observation_id ? `${outcome}, heard again` : outcome;
    }
    if (followUp.status === "dropped") return "Dropped";
    return followUp.snoozed_until ? `Snoozed to ${when}` : `Due ${when}`;
  }

  /** The closing form: this phone's later logs at once, then (online) the server's, from any phone.
   * Its modules are on demand (server/pwa.py ON_DEMAND): imported on the first Complete, warmed while idle. */
  async function closing(followUp, logs, actions) {
    const ctx = session.context();
    const school = session.school();
    const places = new Map(school.locations.map((l) => [l.id, l.name]));
    let outcomeForm, offlineLater, onlineLater;
    try {
      [{ outcomeForm }, { offlineLater, onlineLater }] = await Promise.all([import("../ui/outcome-form.js"), import("../later-logs.js")]);
    } catch {
      toast("Completing a follow-up needs a connection the first time: open it once while online.");
      return;
    }
    const form = outcomeForm(followUp, {
      onDone: (changed, note, evidenceId) => act(() => completeFollowUp(ctx, followUp.id, changed, note, evidenceId), "Follow-up done."),
      onCancel: () => render(),
      later: offlineLater(followUp, logs, places, school.timezone),
    });
    actions.replaceChildren(form.element);
    onlineLater(followUp, logs, places, school.timezone).then((later) => { if (later) form.offer(later); });
  }

  function item(followUp, pending, names, logs) {
    const ctx = session.context();
    const school = session.school();
    const mine = followUp.owner_id === ctx.userId;
    const open = followUp.status === "open" && mine;
    const actions = h("div", { class: "entry__actions entry__actions--wrap" });
    const li = h("li", { class: `entry entry--${standing(followUp)}`, id: `follow-up-${followUp.id}`, dataset: { id: followUp.id }, tabindex: "-1" },
      h("div", { class: "entry__head" },
        h("span", { class: "entry__time" }, dueText(followUp, school.timezone)),
        followUp.observation_id ? h("span", { class: "badge badge--follow" }, "From a log") : null,
        followUp.relisten && followUp.status === "open" ? h("span", { class: "badge badge--follow" }, "Listen again") : null,
        pending ? h("span", { class: "badge badge--pending" }, "Waiting to sync") : null),
      h("p", { class: "entry__action" }, followUp.action),
      mine ? null : h("p", { class: "entry__owner" }, `Given to ${names.get(followUp.owner_id) || "a colleague"}`),
      followUp.outcome_note ? h("p", { class: "entry__note" }, followUp.outcome_note) : null,
      open ? actions : null);
    const label = followUp.action.length > 40 ? `${followUp.action.slice(0, 40)}…` : followUp.action;
    const button = (text, onclick, kind = "secondary") => h("button", { type: "button",
      class: `button button--small button--${kind}`, "aria-label": `${text}: ${label}`, onclick }, text);
    actions.append(
      button("Complete", () => closing(followUp, logs, actions), "primary"),
      button("Snooze 1 day", () => act(() => snoozeFollowUp(ctx, followUp, 1), "Snoozed for a day.")),
      button("Snooze 1 week", () => act(() => snoozeFollowUp(ctx, followUp, 7), "Snoozed for a week.")),
      button("Drop", () => act(() => dropFollowUp(ctx, followUp.id), "Follow-up dropped."), "danger"));
    return li;
  }

  async function render() {
    const school = session.school();
    if (!school || !session.state.user) return;
    const ctx = session.context();
    const all = await followUpsOf(ctx);
    const pending = new Set((await entriesOf(ctx.userId)).map((e) => e.id));
    const names = new Map((await owners()).map((o) => [o.id, o.name]));
    const logs = await observationsOf(ctx);
    // Overdue comes first for mine and colleagues' alike: a follow-up given to someone else that is
    // past due is one to chase, not one to file away under "Given to colleagues".
    const groupOf = (f) => {
      if (f.status !== "open") return "closed";
      const when = standing(f);
      return when === "overdue" || f.owner_id === ctx.userId ? when : "others";
    };
    const section = ([key, heading]) => {
      let rows = all.filter((f) => groupOf(f) === key);
      if (key === "closed") rows = rows.slice(-CLOSED_SHOWN).reverse();
      if (!rows.length && key !== "overdue" && key !== "soon") return null;
      return h("section", { class: "log__group", "aria-label": heading, dataset: { group: key } },
        h("h3", { class: "log__heading" }, heading),
        rows.length ? h("ul", { class: "entries" }, rows.map((f) => item(f, pending.has(f.id), names, logs)))
          : h("p", { class: "log__empty" }, key === "overdue" ? "Nothing overdue." : "Nothing due this week."));
    };
    openLists.replaceChildren(...OPEN_GROUPS.map(section).filter(Boolean));
    closedLists.replaceChildren(...CLOSED_GROUPS.map(section).filter(Boolean));
    if (opened) focusOn(opened);
  }

  /** Mark the opened follow-up on every render; scroll to and focus it the first time it is there. */
  function focusOn(id) {
    const target = lists.querySelector(`#follow-up-${CSS.escape(id)}`);
    if (!target) return;
    target.classList.add("entry--opened");
    if (focused === id) return;
    focused = id;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  return {
    render,
    /** Open on one follow-up (a reminder's link); it is focused once it is on this phone. */
    open(id) { opened = id; focused = null; return render(); },
  };
}
