"""What a leader does in the app, as Playwright steps: sign in, tap a log, wait for sync."""
from __future__ import annotations

import json
import time

SYNC_WORDS = "#sync-words"


def open_app(context, path: str = "/"):
    page = context.new_page()
    page.goto(path)
    return page


def sign_in(page, user: dict) -> None:
    """The first-open sign-in form; then wait until the shell is precached and controls the page."""
    form = page.locator("#screen-signin form")
    form.get_by_label("Email").fill(user["email"])
    form.get_by_label("Password").fill(user["password"])
    form.get_by_role("button", name="Sign in").click()
    page.locator("#screen-capture").wait_for(state="visible")
    wait_offline_ready(page)


def poll(page, script: str, timeout: float = 15, interval: float = 0.1):
    """Evaluate an async `script` until it returns something truthy (wait_for_function does not
    await promises); fail after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"still false after {timeout} s: {script}")
        time.sleep(interval)


def wait_offline_ready(page) -> None:
    """The service worker is active and controls the page, with the shell in its cache."""
    poll(page, """async () => {
        if (!navigator.serviceWorker.controller) return false;
        const names = await caches.keys();
        return names.some((name) => name.startsWith("hallpulse-static-"));
    }""")


def wait_cached(page, paths: list[str]) -> None:
    """The service worker holds these on-demand files (server/pwa.py ON_DEMAND): warmed while idle or used."""
    poll(page, """async () => {
        const paths = %s;
        for (const name of await caches.keys()) {
            const held = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
            if (paths.every((p) => held.includes(p))) return true;
        }
        return false;
    }""" % json.dumps(paths))


PLANS = ["/js/plan-capture.js", "/js/plans.js", "/js/plan-checks.js", "/js/ui/walk-next.js", "/js/ui/plan-link.js",
         "/js/ui/check-entries.js", "/css/plans.css"]
CLOSING = ["/js/ui/outcome-form.js", "/js/later-logs.js", "/js/ui/push-panel.js", "/js/push.js"]


def signed_in_app(context, user: dict):
    page = open_app(context)
    sign_in(page, user)
    return page


def choose_place(page, name: str) -> None:
    page.locator(".places").get_by_role("button", name=name, exact=True).click()


def tap_trait(page, label: str, times: int = 1) -> None:
    button = page.locator("#screen-capture .traits").get_by_role("button", name=label)
    for _ in range(times):
        button.click()


LOCAL_LOGS = """async () => (await (await import("/js/db.js")).getAll("observations")).length"""


def save(page) -> None:
    """Save the capture and wait until this phone holds one more log (an earlier "Saved" toast may still show)."""
    before = page.evaluate(LOCAL_LOGS)
    page.get_by_role("button", name="Save", exact=True).click()
    poll(page, f"async () => (await ({LOCAL_LOGS})()) > {before}")
    page.locator("#toast").get_by_text("Saved").wait_for()


def log_conversation(page, place: str, traits: dict[str, int]) -> None:
    choose_place(page, place)
    for label, level in traits.items():
        tap_trait(page, label, level)
    save(page)


def wait_words(page, text: str, timeout: float = 20000) -> None:
    page.locator(SYNC_WORDS).filter(has_text=text).wait_for(timeout=timeout)


def pending_in_outbox(page) -> int:
    return page.evaluate("""async () => {
        const db = await import("/js/db.js");
        return (await db.getAll("outbox")).length;
    }""")


def wait_outbox_empty(page, timeout: float = 30) -> None:
    poll(page, """async () => (await (await import("/js/db.js")).getAll("outbox")).length === 0""", timeout, 0.2)


def wait_synced(page) -> None:
    """Synced: "All synced" shown and nothing left in the outbox (the words can linger from the sync before)."""
    wait_words(page, "All synced")
    wait_outbox_empty(page)


def create_offline_logs(page, count: int, place_id: int) -> list[str]:
    """Save `count` logs through the app's own write path (IndexedDB + outbox), fast; returns their ids."""
    return page.evaluate(
        """async ([count, placeId]) => {
            const records = await import("/js/records.js");
            const session = await import("/js/session.js");
            const ids = [];
            for (let n = 0; n < count; n += 1) {
                const draft = { rubric_id: session.rubric().id, location_id: placeId,
                                trait_levels: { substantive: 1 + (n % 2) }, note: `log ${n}` };
                ids.push((await records.saveObservation(session.context(), draft)).id);
            }
            return ids;
        }""",
        [count, place_id],
    )


def back_online_and_synced(context, page) -> None:
    """The phone finds its signal again: sync at once and wait for the outbox to empty."""
    context.set_offline(False)
    sync_now(page)
    wait_outbox_empty(page)


def sync_now(page) -> None:
    page.evaluate("""async () => (await import("/js/sync.js")).drain("test")""")
