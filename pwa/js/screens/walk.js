// The walk bar: start or end a listening walk; shows how long it has run and how many logs it holds.

import { h } from "../dom.js";
import { oneAtATime } from "../once.js";
import { on } from "../events.js";
import { endIdleWalk, endWalk, observationsOf, runningWalk, startWalk } from "../records.js";
import * as session from "../session.js";
import { minutesBetween } from "../time.js";
import { toast } from "../ui/toast.js";

function duration(minutes) {
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function walkPanel() {
  const summary = h("p", { class: "walk__summary", id: "walk-summary", "aria-live": "polite" });
  const action = h("button", { type: "button", class: "button button--secondary walk__action", id: "walk-action",
    onclick: () => toggle() });
  const element = h("div", { class: "walk", id: "walk" }, summary, action);
  let rendering = Promise.resolve();

  const toggle = oneAtATime(async () => {
    const ctx = session.context();
    if (await runningWalk(ctx)) {
      await endWalk(ctx);
      toast("Walk ended.");
    } else {
      await startWalk(ctx);
      toast("Walk started. Logs from now on belong to it.");
    }
  });

  async function paint() {
    if (!session.state.user || !session.school()) return;
    const ctx = session.context();
    const walk = await runningWalk(ctx);
    element.classList.toggle("walk--running", Boolean(walk));
    if (!walk) {
      summary.textContent = "No walk running: your first log starts one.";
      action.textContent = "Start walk";
      return;
    }
    const logs = (await observationsOf(ctx)).filter((o) => o.walk_id === walk.id).length;
    summary.replaceChildren(h("strong", {}, "Walk "), `${duration(minutesBetween(walk.started_at))} · ${logs} ${logs === 1 ? "log" : "logs"}`);
    action.textContent = "End walk";
  }

  const render = () => { rendering = rendering.then(paint, paint); return rendering; };
  on("records-changed", render);

  return {
    element,
    render,
    async tick() {
      if (!session.state.user || !session.school()) return;
      if (await endIdleWalk(session.context())) toast("Walk ended after a quiet spell.");
      render();
    },
  };
}
