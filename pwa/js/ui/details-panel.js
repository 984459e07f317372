// "More details": setting, kind, who was talking, team, a short note and a follow-up flag. All optional.

import { h } from "../dom.js";

export const NOTE_MAX = 280;
const EMPTY = { setting: null, conversation_kind: null, participant_count: null, participant_roles: [],
  team: null, note: null, needs_follow_up: false };
const words = (value) => value.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

const CARRIED = ["setting", "conversation_kind", "team"];  // what the last log at a place lends the next

/** `onCarriedChange` hears of any change to setting, kind or team (the capture screen shows what is carried). */
export function detailsPanel(onCarriedChange = () => {}) {
  let values = { ...EMPTY };
  let baseline = { ...EMPTY };  // untouched means equal to this: empty, or what was carried over
  const setting = h("select", { id: "detail-setting", class: "field__input" });
  const kind = h("select", { id: "detail-kind", class: "field__input" });
  const count = h("input", { id: "detail-count", class: "field__input field__input--short", type: "number",
    min: "1", max: "99", inputmode: "numeric" });
  const roles = h("div", { class: "role-chips", role: "group", "aria-labelledby": "detail-roles-label" });
  const team = h("input", { id: "detail-team", class: "field__input", type: "text", maxlength: "60",
    autocomplete: "off", placeholder: "e.g. Grade 7, Science" });
  const note = h("textarea", { id: "detail-note", class: "field__input field__note", maxlength: String(NOTE_MAX),
    rows: "3", "aria-describedby": "note-hint note-count" });
  const counter = h("span", { id: "note-count", class: "field__counter", "aria-live": "polite" });
  const followUp = h("input", { id: "detail-follow-up", type: "checkbox", class: "switch__input" });
  let kinds = [];

  const field = (label, control, id, ...extra) =>
    h("div", { class: "field" }, h("label", { class: "field__label", for: id }, label), control, ...extra);

  function fillKinds() {
    const shown = kinds.filter((k) => !setting.value || k.setting === setting.value);
    kind.replaceChildren(h("option", { value: "" }, "Any"), ...shown.map((k) => h("option", { value: k.value }, k.label)));
    kind.value = shown.some((k) => k.value === values.conversation_kind) ? values.conversation_kind : "";
  }

  function countNote() {
    counter.textContent = `${note.value.length}/${NOTE_MAX}`;
  }

  setting.addEventListener("change", () => { values.setting = setting.value || null; fillKinds(); onCarriedChange(); });
  kind.addEventListener("change", () => {
    values.conversation_kind = kind.value || null;
    const chosen = kinds.find((k) => k.value === kind.value);
    if (chosen && setting.value !== chosen.setting) { setting.value = chosen.setting; values.setting = chosen.setting; fillKinds(); }
    onCarriedChange();
  });
  team.addEventListener("input", () => onCarriedChange());
  note.addEventListener("input", countNote);

  const element = h("div", { class: "details", id: "details-panel", hidden: true },
    h("div", { class: "field-row" },
      field("Setting", setting, "detail-setting"),
      field("Kind of talk", kind, "detail-kind")),
    h("div", { class: "field-row" },
      field("People talking", count, "detail-count"),
      field("Team or grade", team, "detail-team")),
    h("div", { class: "field" }, h("span", { class: "field__label", id: "detail-roles-label" }, "Who was talking"), roles),
    field("Short note", note, "detail-note",
      h("div", { class: "field__foot" },
        h("p", { class: "field__hint", id: "note-hint" }, "No names: describe the talk, not people."), counter)),
    h("label", { class: "switch", for: "detail-follow-up" }, followUp, h("span", { class: "switch__text" }, "Needs follow-up")));

  return {
    element,
    setVocabulary(vocabulary) {
      kinds = vocabulary.conversation_kinds || [];
      setting.replaceChildren(h("option", { value: "" }, "Any"),
        ...(vocabulary.settings || []).map((s) => h("option", { value: s }, words(s))));
      roles.replaceChildren(...(vocabulary.participant_roles || []).map((role) => h("button", {
        type: "button", class: "chip chip--small", dataset: { role }, "aria-pressed": "false",
        onclick: (event) => event.currentTarget.setAttribute("aria-pressed",
          String(event.currentTarget.getAttribute("aria-pressed") !== "true")),
      }, words(role))));
      this.load(values);
    },
    load(next) {
      values = { ...EMPTY, ...next };
      setting.value = values.setting || "";
      fillKinds();
      count.value = values.participant_count ?? "";
      for (const chip of roles.children) chip.setAttribute("aria-pressed", String(values.participant_roles.includes(chip.dataset.role)));
      team.value = values.team || "";
      note.value = values.note || "";
      followUp.checked = Boolean(values.needs_follow_up);
      countNote();
    },
    read() {
      const number = parseInt(count.value, 10);
      return {
        setting: setting.value || null,
        conversation_kind: kind.value || null,
        participant_count: number >= 1 && number <= 99 ? number : null,
        participant_roles: [...roles.children].filter((c) => c.getAttribute("aria-pressed") === "true").map((c) => c.dataset.role),
        team: team.value.trim() || null,
        note: note.value.trim().slice(0, NOTE_MAX) || null,
        needs_follow_up: followUp.checked,
      };
    },
    touched() {
      const now = this.read();
      return Object.keys(EMPTY).some((key) => JSON.stringify(now[key]) !== JSON.stringify(baseline[key]));
    },
    reset() {
      baseline = { ...EMPTY };
      this.load(EMPTY);
    },
    /** Take setting, kind and team from `last` (the last log at the place) where the user has not chosen their own. */
    carry(last) {
      const now = this.read();
      for (const key of CARRIED) if (now[key] === baseline[key]) now[key] = baseline[key] = last?.[key] ?? null;
      this.load(now);
    },
    /** The carried-over values still in place, in words ("Formal", "PLC", "Grade 7"); empty when none. */
    carried() {
      const now = this.read();
      const kept = (key) => now[key] !== null && now[key] === baseline[key];
      return [kept("setting") ? words(now.setting) : null,
        kept("conversation_kind") ? kinds.find((k) => k.value === now.conversation_kind)?.label || words(now.conversation_kind) : null,
        kept("team") ? now.team : null].filter(Boolean);
    },
    /** Empty what was carried over (one tap on Clear); the user's own choices stay. */
    clearCarried() {
      const now = this.read();
      for (const key of CARRIED) if (now[key] === baseline[key]) now[key] = baseline[key] = null;
      this.load(now);
    },
  };
}
