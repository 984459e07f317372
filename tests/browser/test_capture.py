"""The capture screen as a leader meets it: few taps, accessible, no CSP violations, a safe sign-out."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import pages
from tests.browser.conftest import skip_or_fail

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
COUNT_TAPS = "window.__taps = 0; document.addEventListener('click', (e) => { if (e.isTrusted) window.__taps += 1; }, true);"


def test_a_log_takes_at_most_three_taps_from_opening_the_app(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    page.reload()
    page.locator("#screen-capture").wait_for(state="visible")
    page.evaluate(COUNT_TAPS)

    pages.choose_place(page, "Staff lounge")
    pages.tap_trait(page, "People")
    pages.save(page)
    assert page.evaluate("window.__taps") <= 3
    pages.wait_synced(page)

    (row,) = live_server.rows("SELECT id, location_id FROM observation WHERE observer_id = :user", user=user["id"])
    assert row["location_id"] == live_server.seed["places"]["Staff lounge"]
    levels = live_server.rows("SELECT t.key, l.level FROM observation_trait_level l JOIN trait t ON t.id = l.trait_id "
                              "WHERE l.observation_id = :id AND l.level > 0", id=row["id"])
    assert [(level["key"], level["level"]) for level in levels] == [("people", 1)]


def test_the_last_place_is_chosen_when_the_app_opens_again(new_context, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.log_conversation(page, "Room 204 (PLC)", {"Evidence": 1})
    page.reload()
    chip = page.locator(".places").get_by_role("button", name="Room 204 (PLC)")
    chip.wait_for()
    assert chip.get_attribute("aria-pressed") == "true"


def test_trait_buttons_say_their_level_in_their_accessible_name(new_context, user):
    page = pages.signed_in_app(new_context(), user)
    pages.tap_trait(page, "Evidence", 2)
    button = page.locator(".traits").get_by_role("button", name="Evidence")
    assert (button.get_attribute("aria-pressed"), button.inner_text().split("\n")[-1]) == ("true", "Strong")
    page.locator(".traits").get_by_role("button", name="Evidence Strong").wait_for()


def test_capture_screen_has_no_serious_accessibility_violations(new_context, user):
    if not AXE.exists():
        skip_or_fail(f"axe-core is not installed for the chromium tests: run npm install in {AXE.parents[2]}")
    page = pages.signed_in_app(new_context(bypass_csp=True), user)
    page.get_by_role("button", name="More details").click()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document)).violations
        .filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)""")
    assert violations == []


def test_every_control_has_an_accessible_name(new_context, user):
    page = pages.signed_in_app(new_context(), user)
    page.get_by_role("button", name="More details").click()
    unnamed = page.evaluate("""() => [...document.querySelectorAll("button, a[href], input, select, textarea")]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => !(el.getAttribute("aria-label") || el.labels?.length || el.textContent.trim()))
        .map((el) => el.outerHTML.slice(0, 80))""")
    assert unnamed == []


def test_a_normal_session_has_no_content_security_policy_violations(new_context, live_server, user):
    context = new_context()
    context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                            "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    messages = []
    page = context.new_page()
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/")
    pages.sign_in(page, user)
    pages.log_conversation(page, "Main hallway", {"Substantive": 1})
    page.get_by_role("button", name="More details").click()
    page.locator("#detail-note").fill("Planning Friday's regrouping from the exit tickets.")
    pages.tap_trait(page, "Action")
    pages.save(page)
    page.get_by_role("link", name="My log").click()
    page.locator(".entry").first.wait_for()
    page.get_by_role("link", name="Log", exact=True).click()
    pages.wait_synced(page)
    assert page.evaluate("window.__csp") == []
    assert [text for text in messages if "Content Security Policy" in text] == []


def test_sign_out_is_refused_while_logs_wait_and_a_clean_one_leaves_nothing_personal(new_context, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    context.set_offline(True)
    pages.log_conversation(page, "Main hallway", {"Questions": 1})
    page.get_by_role("link", name="My log").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("1 log has not reached the server yet").wait_for()
    assert pages.pending_in_outbox(page) == 2  # the log and its walk

    context.set_offline(False)
    pages.wait_synced(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")
    left = page.evaluate("""async () => {
        const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open("hallpulse");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        });
        const count = (store) => new Promise((resolve) => {
            const request = db.transaction(store).objectStore(store).count();
            request.onsuccess = () => resolve(request.result);
        });
        const cached = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) cached.push(new URL(request.url).pathname);
        }
        return { observations: await count("observations"), outbox: await count("outbox"), walks: await count("walks"),
                 api: cached.filter((path) => path.startsWith("/api/")) };
    }""")
    assert left == {"observations": 0, "outbox": 0, "walks": 0, "api": []}
