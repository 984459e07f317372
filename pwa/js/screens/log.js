// My log: today's and recent logs (editable and deletable offline), pending ones marked,
// and the "needs attention" list: records the server could not accept, and changes another device
// made to the same record (the user chooses which stays; ui/conflict-entry.js). Earlier logs come
// PAGE at a time ("Show more"), so a long history never makes a heavy page.

import { applyMine, keepTheirs } from "../conflicts.js";
import { getAll, transact } from "../db.js";
import { h } from "../dom.js";
import { emit } from "../events.js";
import { entriesOf } from "../outbox.js";
import { deleteObservation, observationsOf } from "../records.js";
import * as session from "../session.js";
import { clock, dayKey, dayLabel } from "../time.js";
import { conflictEntry } from "../ui/conflict-entry.js";
import { toast } from "../ui/toast.js";
import { twoTapDelete } from "../ui/two-tap-delete.js";
import { LEVEL_WORDS } from "../ui/trait-picker.js";

const PAGE = 50;

export function logScreen(root, { edit, account, afterSave }) {
  const attention = h("div", { class: "log__group", id: "log-attention" });
  const today = h("div", { class: "log__group", id: "log-today" });
  const earlier = h("div", { class: "log__group", id: "log-earlier" });
  const checks = h("div", { class: "log__group", id: "log-checks", hidden: true });  // "checked, not heard" (issue 16)
  let shown = PAGE;
  root.replaceChildren(h("h2", { class: "screen__title", id: "log-title" }, "My log"), attention, today, checks, earlier, account);

  const deletes = twoTapDelete(root);  // an armed Delete survives a redraw (a sync, another tab)

  async function discard(id) {
    await transact(["attention", "observations", "plan_checks", "outbox"], "readwrite", (s) => {
      for (const store of ["attention", "observations", "plan_checks", "outbox"]) s[store].delete(id);
    });
    toast("Discarded.");
    emit("records-changed");
  }

  async function choose(id, kind) {
    const outcome = await (kind === "mine" ? applyMine(id) : keepTheirs(id));
    if (!outcome) return;  // already chosen (a second tap, or another tab)
    toast(kind === "mine" ? "Yours will be sent again." : "Kept the other phone's version.");
    if (kind === "mine") afterSave();
  }

  function item(observation, pending, names, asking = false) {
    const school = session.school();
    const traits = session.rubric()?.traits.filter((t) => observation.trait_levels?.[t.key]) || [];
    return h("li", { class: "entry", dataset: { id: observation.id } },
      h("div", { class: "entry__head" },
        h("span", { class: "entry__time" }, clock(observation.observed_at, school.timezone)),
        h("span", { class: "entry__place" }, names.get(observation.location_id) || "Unknown place"),
        pending ? h("span", { class: "badge badge--pending" }, "Waiting to sync") : null,
        asking ? h("span", { class: "badge badge--choice" }, "Needs your choice") : null,
        observation.needs_follow_up ? h("span", { class: "badge badge--follow" }, "Follow-up") : null,
        observation.plan_id ? h("span", { class: "badge badge--follow" }, "Planned") : null,
        observation.colisten_code ? h("a", { class: "badge badge--together", href: "/colisten", dataset: { route: "1" } },
          `Co-listen ${observation.colisten_code} · compare`) : null),
      h("ul", { class: "entry__traits", "aria-label": "Traits heard" }, traits.length
        ? traits.map((t) => h("li", { class: `tag tag--level${observation.trait_levels[t.key]}` },
          `${t.label}: ${LEVEL_WORDS[observation.trait_levels[t.key]].toLowerCase()}`))
        : h("li", { class: "tag" }, "No traits heard")),
      observation.note ? h("p", { class: "entry__note" }, observation.note) : null,
      h("div", { class: "entry__actions" },
        h("button", { type: "button", class: "button button--small button--secondary",
          "aria-label": `Edit the ${clock(observation.observed_at, school.timezone)} log`, onclick: () => edit(observation) }, "Edit"),
        deleteButton(observation, school)));
  }

  function deleteButton(observation, school) {
    return deletes.button(observation.id, `Delete the ${clock(observation.observed_at, school.timezone)} log`,
      () => deleteObservation(observation.id).then((deleted) => deleted && toast("Log deleted.")));
  }

  /** This phone's checks of planned conversations, drawn by a module fetched on demand when there are any. */
  async function renderChecks(ctx, pending) {
    const mine = (await getAll("plan_checks")).filter((c) => c.user_id === ctx.userId && c.school_id === ctx.schoolId && !c.deleted)
      .sort((a, b) => (a.checked_at < b.checked_at ? 1 : -1));
    if (!mine.length) { checks.hidden = true; checks.replaceChildren(); return; }  // the last one deleted: nothing left behind
    try {
      (await import("../ui/check-entries.js")).renderChecks(checks, mine, pending, deletes);
    } catch {
      checks.hidden = true;  // never fetched and offline: the checks still sync, and show once it loads
    }
  }

  function group(container, heading, items, empty) {
    container.replaceChildren(h("h3", { class: "log__heading" }, heading),
      items.length ? h("ul", { class: "entries" }, items) : h("p", { class: "log__empty" }, empty));
  }

  return {
    async render() {
      const school = session.school();
      if (!school || !session.state.user) return;
      const ctx = session.context();
      const names = new Map(school.locations.map((l) => [l.id, l.name]));
      const pending = new Set((await entriesOf(ctx.userId)).map((e) => e.id));
      const invalid = (await getAll("attention")).filter((a) => a.user_id === ctx.userId && a.school_id === ctx.schoolId);
      const asking = new Set(invalid.filter((a) => a.kind === "conflict").map((a) => a.id));
      const every = await observationsOf(ctx);
      const todayKey = dayKey(new Date().toISOString(), school.timezone);
      const isToday = (o) => dayKey(o.observed_at, school.timezone) === todayKey;
      const todays = every.filter(isToday);
      const before = every.filter((o) => !isToday(o));
      const all = [...todays, ...before.slice(0, shown)];
      group(today, `Today, ${dayLabel(new Date().toISOString(), school.timezone)}`,
        todays.map((o) => item(o, pending.has(o.id), names, asking.has(o.id))), "Nothing logged yet today.");
      group(earlier, "Earlier", before.slice(0, shown).map((o) => item(o, pending.has(o.id), names, asking.has(o.id))), "No earlier logs on this phone.");
      if (before.length > shown) {
        earlier.append(h("button", { type: "button", class: "button button--secondary", id: "log-more",
          onclick: () => { shown += PAGE; this.render(); } }, `Show more (${before.length - shown} more on this phone)`));
      }
      await renderChecks(ctx, pending);
      attention.hidden = invalid.length === 0;
      const view = { zone: school.timezone, names, traits: session.rubric()?.traits || [] };
      attention.replaceChildren(h("h3", { class: "log__heading log__heading--alert" }, "Needs attention"),
        h("ul", { class: "entries" }, invalid.map((a) => {
          if (a.kind === "conflict") return conflictEntry(a, view, (kind) => choose(a.id, kind));
          const local = all.find((o) => o.id === a.id);
          return h("li", { class: "entry entry--alert" },
            h("p", { class: "entry__problem" }, local
              ? `The server could not accept the ${clock(local.observed_at, school.timezone)} log at ${names.get(local.location_id) || "an unknown place"}:`
              : "The server could not accept a change:"),
            h("ul", { class: "entry__errors" }, Object.entries(a.errors).map(([field, problems]) =>
              h("li", {}, `${field.replace(/_/g, " ")}: ${[].concat(problems).join(" ")}`))),
            h("div", { class: "entry__actions" },
              local ? h("button", { type: "button", class: "button button--small button--secondary", onclick: () => edit(local) }, "Fix it") : null,
              h("button", { type: "button", class: "button button--small button--danger", onclick: () => discard(a.id) }, "Discard")));
        })));
      return invalid.length;
    },
  };
}
