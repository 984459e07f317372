"""Practice in the phone app: a viewer rates a written scenario offline, sees the reference at once, and the
answer reaches the server once when the phone reconnects; the heatmaps do not move."""
from __future__ import annotations

import uuid

import pytest

from tests.browser import pages
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser
SEVEN = ["substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action"]
REFERENCE = dict(zip(SEVEN, [2, 2, 1, 1, 0, 0, 2]))


def api_session(context, email: str):
    """Sign a browser profile in through the API; returns a function sending JSON writes with the CSRF token."""
    def send(method: str, path: str, body: dict):
        token = context.request.get("/api/v1/auth/csrf").json()["csrf_token"]
        return context.request.fetch(path, method=method, data=body, headers={"X-CSRFToken": token})

    assert send("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}).ok
    return send


def write_scenario(new_context, live_server, user) -> tuple[int, str, object]:
    leader = new_context()
    send = api_session(leader, user["email"])
    school_id = live_server.seed["school_id"]
    rubrics = leader.request.get(f"/api/v1/rubrics?school_id={school_id}").json()
    title = f"Ratios exit tickets {uuid.uuid4().hex[:6]}"
    created = send("POST", "/api/v1/practice/scenarios", {
        "school_id": school_id, "rubric_id": next(r["id"] for r in rubrics if r["is_default"]), "title": title,
        "setting": "informal",
        "lines": [{"speaker": "Teacher A", "text": "I sorted yesterday's exit tickets: 9 of 27 set up the table backwards."},
                  {"speaker": "Teacher B", "text": "Part-to-part instead of part-to-whole?"},
                  {"speaker": "Teacher A", "text": "Exactly. Mostly the students who were out for the band trip."},
                  {"speaker": "Teacher B", "text": "Pull those nine on Thursday, and check again on Friday."}],
        "reference": {key: {"level": level, "why": f"The {key} reference is {level}."} for key, level in REFERENCE.items()},
    })
    assert created.status == 201, created.text()
    return created.json()["id"], title, leader


def heatmaps(leader, school_id: int) -> list:
    return [leader.request.get(f"/api/v1/heatmaps/schools/{school_id}/{view}").json() for view in ("quality", "frequency")]


def test_viewer_practises_offline_and_the_answer_reaches_the_server_once(new_context, live_server, user):
    scenario_id, title, leader = write_scenario(new_context, live_server, user)
    school_id = live_server.seed["school_id"]
    before = heatmaps(leader, school_id)
    viewer_id, email = live_server.seed["viewer"]
    context = new_context()
    page = pages.open_app(context)
    form = page.locator("#screen-signin form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    page.locator("#screen-viewer").wait_for(state="visible")
    pages.wait_offline_ready(page)
    page.locator("#tabs").get_by_role("link", name="Practice").click()
    item = page.locator(".practice__item", has_text=title)
    item.wait_for()
    pages.poll(page, f"""async () => {{
        const {{ getAll }} = await import("/js/db.js");
        return (await getAll("practice")).some((r) => r.scenario.id === {scenario_id} && r.key);
    }}""")

    context.set_offline(True)
    item.click()
    picker = page.locator("#screen-practice .traits")
    assert page.locator("#screen-practice .reveal").count() == 0  # nothing of the reference before rating
    picker.get_by_role("button", name="Substantive").click()
    picker.get_by_role("button", name="Substantive").click()    # strong
    picker.get_by_role("button", name="Evidence").click()       # heard (reference: strong)
    page.get_by_role("button", name="Rate and see the reference").click()

    reveal = page.locator("#screen-practice .reveal")
    reveal.wait_for()
    # substantive 2=2, evidence 1≠2, questions 0≠1, non_defensive 0≠1, people 0=0, knowledge 0=0, action 0≠2
    assert reveal.get_by_role("heading").inner_text() == "You matched the reference on 3 of 7 traits"
    assert "The evidence reference is 2." in reveal.inner_text()
    assert "back online" in reveal.inner_text()
    answers = "SELECT user_id FROM practice_answer WHERE scenario_id = :s"
    assert live_server.rows(answers, s=scenario_id) == []

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    pages.poll(page, """async () => {
        const { getAll } = await import("/js/db.js");
        return (await getAll("practice_answers")).length === 0;
    }""")
    assert live_server.rows(answers, s=scenario_id) == [{"user_id": viewer_id}]
    page.locator("#screen-practice .reveal__note", has_text="back online").wait_for(state="detached")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second nudge sends nothing again
    page.wait_for_timeout(500)
    assert len(live_server.rows(answers, s=scenario_id)) == 1
    assert heatmaps(leader, school_id) == before


CACHED_PRACTICE = """async () => {
    const name = (await caches.keys()).find((n) => n.startsWith("hallpulse-static-"));
    const cache = await caches.open(name);
    const paths = (await cache.keys()).map((r) => new URL(r.url).pathname);
    return ["/js/practice.js", "/js/screens/practice.js", "/js/ui/practice-reveal.js"].every((p) => paths.includes(p));
}"""


def test_practice_opened_online_once_works_offline_after_a_reload(new_context, live_server, user):
    """Practice is not precached (server/pwa.py ON_DEMAND): opening it online puts it in the SW cache."""
    _scenario_id, title, _leader = write_scenario(new_context, live_server, user)
    context = new_context()
    page = pages.signed_in_app(context, live_server.next_user())
    page.locator("#tabs").get_by_role("link", name="Practice").click()
    page.locator(".practice__item", has_text=title).wait_for()
    pages.poll(page, CACHED_PRACTICE)

    context.set_offline(True)
    page.reload()
    assert page.evaluate("location.pathname") == "/practice"
    page.locator(".practice__item", has_text=title).click()
    page.get_by_role("button", name="Rate and see the reference").click()
    page.locator("#screen-practice .reveal").wait_for()


def test_practice_never_cached_says_offline_that_it_needs_a_connection_once(new_context, live_server, user):
    """Online and idle, the app warms Practice into the SW cache; a phone where that never happened (the
    entries removed here) and is now offline gets a clear message in the tab, not a blank screen."""
    context = new_context()
    page = pages.signed_in_app(context, live_server.next_user())
    pages.poll(page, CACHED_PRACTICE)  # the warm-up, without Practice ever being opened
    page.evaluate("""async () => {
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                if (new URL(request.url).pathname.includes("practice")) await cache.delete(request);
            }
        }
    }""")

    context.set_offline(True)
    page.reload()
    page.locator("#screen-capture").wait_for(state="visible")
    page.locator("#tabs").get_by_role("link", name="Practice").click()
    message = page.locator("#screen-practice [role=status]")
    message.wait_for()
    assert message.inner_text() == "Practice needs a connection the first time — open it once while online."
    assert page.locator("#screen-practice h2").inner_text() == "Practice"

    context.set_offline(False)  # back online, the same page: the tab loads Practice without a reload
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.get_by_text("Read a short conversation, rate what you hear").wait_for()
    assert page.locator("#screen-practice .practice__offline").count() == 0


def test_upgrading_a_version_2_phone_keeps_its_waiting_records_and_adds_the_practice_stores(new_context):
    page = new_context().new_page()
    page.goto("/manifest.webmanifest")  # the app's origin, before the app has opened its database
    page.evaluate("""() => new Promise((resolve, reject) => {
        const request = indexedDB.open("hallpulse", 2);
        request.onupgradeneeded = () => {
            const db = request.result;
            for (const name of ["outbox", "observations", "walks", "attention", "follow_ups"]) db.createObjectStore(name, { keyPath: "id" });
            db.createObjectStore("meta", { keyPath: "key" });
        };
        request.onsuccess = () => {
            const tx = request.result.transaction(["outbox"], "readwrite");
            tx.objectStore("outbox").put({ id: "waiting-1", user_id: 7, school_id: 1, type: "observation" });
            tx.oncomplete = () => { request.result.close(); resolve(); };
        };
        request.onerror = () => reject(request.error);
    })""")

    stores = page.evaluate("""async () => {
        const { getAll, open } = await import("/js/db.js");
        const db = await open();
        return { names: [...db.objectStoreNames].sort(), outbox: (await getAll("outbox")).map((e) => e.id), version: db.version };
    }""")

    assert stores["version"] == 4 and stores["outbox"] == ["waiting-1"]  # 4: plan checks' and co-listening's stores
    assert stores["names"] == ["attention", "colisten", "follow_ups", "meta", "observations", "outbox", "plan_checks",
                               "practice", "practice_answers", "walks"]


def axe_violations(page) -> list[str]:
    from tests.browser.test_capture import AXE

    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document)).violations
        .filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)""")


def test_practice_screen_before_and_after_rating_has_no_serious_accessibility_violations(new_context, live_server, user):
    from tests.browser.test_capture import AXE
    from tests.conftest import skip_or_fail

    if not AXE.exists():
        skip_or_fail("axe-core is not installed for the chromium tests")
    _scenario_id, title, _leader = write_scenario(new_context, live_server, user)
    page = pages.signed_in_app(new_context(bypass_csp=True), live_server.next_user())
    page.locator("#tabs").get_by_role("link", name="Practice").click()
    page.locator(".practice__item", has_text=title).click()
    page.locator("#screen-practice .traits").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Rate and see the reference").click()
    page.locator("#screen-practice .reveal").wait_for()
    assert axe_violations(page) == []


def test_signing_out_waits_for_practice_answers_made_offline(new_context, live_server, user):
    scenario_id, title, _leader = write_scenario(new_context, live_server, user)
    context = new_context()
    page = pages.signed_in_app(context, live_server.next_user())
    page.locator("#tabs").get_by_role("link", name="Practice").click()
    page.locator(".practice__item", has_text=title).wait_for()
    pages.poll(page, f"""async () => {{
        const {{ getAll }} = await import("/js/db.js");
        return (await getAll("practice")).some((r) => r.scenario.id === {scenario_id} && r.key);
    }}""")
    context.set_offline(True)
    page.locator(".practice__item", has_text=title).click()
    page.get_by_role("button", name="Rate and see the reference").click()
    page.locator("#screen-practice .reveal").wait_for()

    page.locator("#tabs").get_by_role("link", name="My log").click()
    page.locator("#sign-out").click()

    page.get_by_text("1 practice answer has not reached the server yet").wait_for()
    assert page.locator("#screen-log").is_visible()
    assert pages.poll(page, """async () => {
        const { getAll } = await import("/js/db.js");
        return (await getAll("practice_answers")).length === 1;
    }""")


def test_own_practice_history_reads_offline_once_seen_online(new_context, live_server, user):
    scenario_id, title, _leader = write_scenario(new_context, live_server, user)
    context = new_context()
    page = pages.signed_in_app(context, live_server.next_user())
    page.locator("#tabs").get_by_role("link", name="Practice").click()
    page.locator(".practice__item", has_text=title).click()
    page.get_by_role("button", name="Rate and see the reference").click()
    page.locator("#screen-practice .reveal").wait_for()
    page.get_by_role("button", name="All scenarios").click()
    pages.poll(page, """async () => {
        const { getAll } = await import("/js/db.js");
        return (await getAll("practice_answers")).length === 0;
    }""")
    page.get_by_role("button", name="My agreement over time").click()
    page.locator("#screen-practice .history").wait_for()
    online_text = page.locator("#screen-practice .history").inner_text()
    pages.poll(page, CACHED_PRACTICE)

    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="My agreement over time").click()
    page.locator("#screen-practice .practice__saved").wait_for()
    assert page.locator("#screen-practice .history").inner_text() == online_text
    assert "needs a connection" not in page.locator("#screen-practice").inner_text()
