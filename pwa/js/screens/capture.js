// The capture screen: place → traits → Save. The last place stays chosen, so a log can be 2–3 taps, and
// the last log there lends its setting, kind and team. One press of Save is one log, however fast the taps.
// A school with planned conversations also gets "Walk next" and the suggested occurrence of a log
// (plan-capture.js, imported on demand: capture works without it).

import { getMeta, setMeta } from "../db.js";
import { h } from "../dom.js";
import { on } from "../events.js";
import { createFollowUp } from "../follow-ups.js";
import { oneAtATime } from "../once.js";
import { editObservation, deleteObservation, lastDetailsAt, saveObservation } from "../records.js";
import * as session from "../session.js";
import { carriedDetails } from "../ui/carried-details.js";
import { detailsPanel } from "../ui/details-panel.js";
import { followUpFields } from "../ui/follow-up-fields.js";
import { noTraitsQuestion } from "../ui/no-traits.js";
import { placePicker } from "../ui/place-picker.js";
import { toast } from "../ui/toast.js";
import { traitPicker } from "../ui/trait-picker.js";
import { walkPanel } from "./walk.js";

export function captureScreen(root, { afterSave, showLog, showColisten }) {
  let editing = null;
  let ids = null;  // the UUIDs of the capture being saved: made once, so a repeated save stores nothing new
  let carrying = 0;
  let plans = null;  // the planned-conversation part, once imported
  const places = placePicker((id) => { message.textContent = ""; carryFrom(id); plans?.render(); });
  const nextSlot = h("div", { class: "capture__plans" });
  const linkSlot = h("div");
  const traits = traitPicker(() => question.withdraw());
  const details = detailsPanel(() => carried.show(details.carried()));
  const carried = carriedDetails(() => { details.clearCarried(); carried.show([]); });
  const question = noTraitsQuestion(() => submit({ noTraits: true }));
  const walk = walkPanel();
  const followUp = followUpFields("capture-follow-up", { fromLog: true });
  followUp.element.hidden = true;
  followUp.element.setAttribute("aria-label", "Follow-up");
  const followUpSwitch = details.element.querySelector("#detail-follow-up");
  followUpSwitch.addEventListener("change", () => showFollowUp(followUpSwitch.checked));
  const message = h("p", { class: "capture__message", role: "alert" });
  // Co-listening (screens/colisten.js, on demand): the code the next log carries, shown while it is on.
  const together = h("div", { class: "together" });
  const title = h("h2", { class: "capture__editing", hidden: true });
  const more = h("button", { type: "button", class: "disclosure", "aria-expanded": "false",
    "aria-controls": "details-panel", onclick: () => toggleDetails() }, "More details");
  const cancel = h("button", { type: "button", class: "button button--secondary", hidden: true,
    onclick: () => stopEditing() }, "Cancel");
  const save = h("button", { type: "button", class: "button button--primary save", id: "save-log",
    onclick: () => submit() }, "Save");

  root.replaceChildren(walk.element, nextSlot, together, title,
    h("h2", { class: "step", id: "places-title" }, "Where?"), places.element, carried.element, linkSlot,
    h("div", { class: "step-row" }, h("h2", { class: "step", id: "traits-title" }, "What did you hear?"),
      h("p", { class: "step__hint" }, "1 tap: heard · 2 taps: strong")),
    traits.element, more, details.element, followUp.element, message, question.element,
    h("div", { class: "savebar" }, cancel, save));

  function toggleDetails(open = details.element.hidden) {
    details.element.hidden = !open;
    more.setAttribute("aria-expanded", String(open));
  }

  /** The follow-up's fields show while "Needs follow-up" is on for a new log (an edit never makes one). */
  async function showFollowUp(on) {
    if (on && !editing && followUp.element.hidden) await followUp.reset();
    followUp.element.hidden = !on || Boolean(editing);
  }

  /** Import the plan part when the school has plans (cached for offline by the service worker's warm-up). */
  async function showPlans(school) {
    if (!plans && school.plans?.id?.length) {  // the bootstrap's plan lists (plans.js plansOf)
      try {
        const { planCapture } = await import("../plan-capture.js");
        plans ||= planCapture({ placeOf: () => places.value });
        nextSlot.replaceChildren(plans.next);
        linkSlot.replaceChildren(plans.link);
      } catch {
        return;  // offline before it was ever fetched: logging works as before
      }
    }
    await plans?.render();
  }
  on("records-changed", () => plans?.render());

  function stopEditing() {
    editing = null;
    plans?.reset();
    title.hidden = true;
    cancel.hidden = true;
    save.textContent = "Save";
    traits.levels = {};
    details.reset();
    toggleDetails(false);
    carryFrom(places.value);
  }

  /** Setting, kind and team from the last log at this place (never into an edit); the latest choice wins. */
  async function carryFrom(placeId) {
    const turn = ++carrying;
    const last = placeId && !editing && session.state.user ? await lastDetailsAt(session.context(), placeId) : null;
    if (turn !== carrying || editing) return;
    details.carry(last);
    carried.show(details.carried());
  }

  async function remember(placeId) {
    const key = session.placesKey(session.state.user.id, session.state.schoolId);
    const recent = [placeId, ...(await getMeta(key, [])).filter((id) => id !== placeId)].slice(0, 12);
    await setMeta(key, recent);
  }

  /** One save at a time: taps while a save is written join it rather than start another. */
  const submit = oneAtATime(async ({ noTraits = false } = {}) => {
    if (!places.value) {
      message.textContent = "Choose where you heard it first.";
      places.element.querySelector("button, select")?.focus();
      return;
    }
    const rubric = session.rubric();
    const draft = { rubric_id: rubric.id, location_id: places.value, trait_levels: traits.levels, ...details.read(),
      ...(plans ? plans.read() : {}) };
    const colisten = editing ? null : await getMeta(session.colistenKey(session.state.user.id, session.state.schoolId));
    if (colisten && Date.parse(colisten.expires_at) > Date.now()) draft.colisten_code = colisten.code;
    const task = !editing && draft.needs_follow_up ? followUp.read() : null;
    if (task && task.problem) {
      message.textContent = task.problem;
      task.focus.focus();
      return;
    }
    if (!editing && !noTraits && !Object.keys(draft.trait_levels).length) {
      question.ask();  // "none heard" is a choice of its own, never what a stray Save records
      return;
    }
    question.withdraw();
    if (editing) {
      await editObservation(editing, draft);
      stopEditing();
      toast("Changes saved.");
      showLog();
    } else {
      ids = ids || { observation: crypto.randomUUID(), followUp: crypto.randomUUID() };
      const observation = await saveObservation(session.context(), { ...draft, id: ids.observation });
      if (task) await createFollowUp(session.context(), { ...task, id: ids.followUp, observation_id: observation.id });
      ids = null;
      if (draft.colisten_code) await setMeta(session.colistenKey(session.state.user.id, session.state.schoolId), null);
      await remember(places.value);
      await showTogether();
      const heard = rubric.traits.filter((t) => draft.trait_levels[t.key]).map((t) => t.label);
      toast(draft.colisten_code ? `Saved for co-listen ${draft.colisten_code}. You compare once all your logs have synced.`
        : `Saved: ${heard.length ? heard.join(", ") : "no traits heard"}.`, {
        label: "Undo", run: async () => { await deleteObservation(observation.id); toast("Log removed."); afterSave(); },
      });
      traits.levels = {};
      details.reset();
      plans?.reset();
      showFollowUp(false);
      toggleDetails(false);
      await carryFrom(places.value);
    }
    if (navigator.vibrate) navigator.vibrate(15);
    message.textContent = "";
    afterSave();
  });

  /** "Listen together", or the co-listen this log will join. */
  async function showTogether() {
    const on = session.state.user && await getMeta(session.colistenKey(session.state.user.id, session.state.schoolId));
    const live = on && Date.parse(on.expires_at) > Date.now();
    together.replaceChildren(live
      ? h("p", { class: "together__on", id: "together-on" }, `Co-listening · code ${on.code}. Your tags stay hidden from each other until you have all synced. `,
        h("button", { type: "button", class: "link-button", onclick: showColisten }, on.lead ? "Show the code" : "Details"))
      : h("button", { type: "button", class: "link-button together__start", id: "listen-together", onclick: showColisten }, "Listen together with a colleague"));
  }

  return {
    showTogether,
    async render() {
      const school = session.school();
      const rubric = session.rubric();
      if (!school || !rubric) return;
      const recent = await getMeta(session.placesKey(session.state.user.id, school.id), []);
      const active = school.locations.filter((l) => !l.archived);
      places.setPlaces(active, recent);
      if (!places.value && recent.length && active.some((l) => l.id === recent[0])) places.value = recent[0];
      traits.setTraits(rubric.traits);
      details.setVocabulary(session.state.bootstrap.vocabulary || {});
      walk.render();
      await showPlans(school);
      await showTogether();
    },
    edit(observation) {
      editing = observation.id;
      question.withdraw();
      carried.show([]);
      details.reset();  // what was carried over is no part of an edit
      title.textContent = "Editing a log";
      title.hidden = false;
      cancel.hidden = false;
      save.textContent = "Save changes";
      places.value = observation.location_id;
      traits.levels = observation.trait_levels || {};
      details.load(observation);
      plans?.load(observation);
      toggleDetails(true);
    },
    halfDone() {
      return Boolean(editing) || question.asking || Object.keys(traits.levels).length > 0 || details.touched();
    },
    tick: () => { walk.tick(); plans?.render(); },
  };
}
