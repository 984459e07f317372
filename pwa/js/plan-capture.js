// The capture screen's planned-conversation part (issue 16), loaded on demand when the school has plans
// (server/pwa.py ON_DEMAND; warmed for offline like Practice): "Walk next", the suggested occurrence
// of a log, and "checked, not heard". Everything is computed on the phone from the cached bootstrap
// and this phone's records, so it works with no signal.

import { h } from "./dom.js";
import { checksOf, OUTCOMES, reviseCheck, saveCheck } from "./plan-checks.js";
import { labelOf, nextAhead, occurrencesOf, plansOf, schoolNow, statesOf, suggestionFor, todays, walkNext } from "./plans.js";
import { observationsOf } from "./records.js";
import * as session from "./session.js";
import { planLink } from "./ui/plan-link.js";
import { toast } from "./ui/toast.js";
import { walkNextList } from "./ui/walk-next.js";

export function useStyles() {
  if (!document.getElementById("plans-css")) {
    document.head.append(h("link", { rel: "stylesheet", href: "/css/plans.css", id: "plans-css" }));
  }
}

/** `placeOf()`: the place chosen on the capture screen now. */
export function planCapture({ placeOf }) {
  useStyles();
  const link = planLink();
  const next = walkNextList({ placeName, onCheck });
  let turn = 0;

  function placeName(id) {
    return session.school()?.locations.find((l) => l.id === id)?.name || "Place not set";
  }

  async function onCheck(occurrence, outcome) {
    const check = await saveCheck(session.context(), { plan_id: occurrence.plan.id, day: occurrence.day, outcome,
      label: labelOf(occurrence) });
    toast(`Recorded: ${occurrence.plan.name}, ${OUTCOMES[outcome].toLowerCase()}.`, {
      label: "Undo", run: async () => { await reviseCheck(check.id, null); toast("Check removed."); },
    });
  }

  async function render() {
    const school = session.school();
    if (!school || !session.state.user) return;
    const mine = ++turn;
    const ctx = session.context();
    const now = schoolNow(school.timezone);
    const states = statesOf(school, await observationsOf(ctx), await checksOf(ctx), now.day);
    if (mine !== turn) return;
    const soon = walkNext(school, states, now).map((o) => ({ ...o, state: states.get(o.plan.id) }));
    next.render(soon, soon.length ? null : nextAhead(school, states, now), now);
    link.update(suggestionFor(school, placeOf(), now), todays(school, now));
  }

  return {
    next: next.element,
    link: link.element,
    render,
    read: () => link.read(),
    reset: () => link.reset(),
    load(observation) {
      const school = session.school();
      const known = occurrencesOf(school).find((o) => o.plan.id === observation.plan_id && o.day === observation.plan_day);
      const plan = plansOf(school).find((p) => p.id === observation.plan_id);
      link.load(observation, known ? labelOf(known) : `${plan ? plan.name : "Planned conversation"}, ${observation.plan_day}`);
    },
  };
}
