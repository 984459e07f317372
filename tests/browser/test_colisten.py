"""Two phones co-listen with no signal, log the same conversation differently, and compare once both
have synced; the heatmap counts the conversation once."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i17-colisten"))
CACHED_COLISTEN = """async () => {
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        const found = await Promise.all(["/js/screens/colisten.js", "/js/vendor/qrcode.js", "/js/colisten.js",
            "/js/ui/colisten-compare.js", "/js/ui/qr.js"].map((path) => cache.match(path)));
        if (found.every(Boolean)) return true;
    }
    return false;
}"""


def shoot(page, name: str, focus: str = "#colisten-title") -> None:
    """The screen at phone size, then at laptop size, scrolled to what it is about."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("phone", {"width": 390, "height": 844}), ("laptop", {"width": 1366, "height": 768})):
        page.set_viewport_size(viewport)
        page.evaluate("(selector) => { document.querySelector(selector).scrollIntoView({block: 'start'}); window.scrollBy(0, -140); }", focus)
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
    page.set_viewport_size({"width": 390, "height": 844})


def accessibility_problems(page) -> list[str]:
    """Serious or critical axe-core findings, where axe-core is installed (tests/js)."""
    from tests.browser.test_capture import AXE
    from tests.browser.test_practice import axe_violations

    return axe_violations(page) if AXE.exists() else []


def phone(new_context, user):
    context = new_context(bypass_csp=True)  # for axe-core's script only
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)
    pages.poll(page, CACHED_COLISTEN, timeout=30)  # warmed while idle and online, like Practice
    return context, page


def counted_conversations(live_server) -> int:
    return live_server.rows("SELECT COALESCE(SUM(conversations), 0) AS n FROM heatmap_school_day WHERE school_id = :school",
                            school=live_server.seed["school_id"])[0]["n"]


def test_two_offline_phones_co_listen_and_compare_after_reconnecting(new_context, live_server):
    lead_user, colleague_user = live_server.next_user(), live_server.next_user()
    lead_context, lead = phone(new_context, lead_user)
    colleague_context, colleague = phone(new_context, colleague_user)
    conversations_before = counted_conversations(live_server)
    lead_context.set_offline(True)
    colleague_context.set_offline(True)

    lead.get_by_role("button", name="Listen together with a colleague").click()
    lead.get_by_role("button", name="Start a co-listen").click()
    code = lead.locator("#colisten-lead-code").inner_text()
    assert len(code) == 6
    assert lead.get_by_role("img", name=f"QR code for co-listen {code}").is_visible()
    shoot(lead, "1-start-code-and-qr")
    assert accessibility_problems(lead) == []

    colleague.get_by_role("button", name="Listen together with a colleague").click()
    colleague.get_by_label("Join with a code").fill(code.lower())
    shoot(colleague, "2-join")
    assert accessibility_problems(colleague) == []
    colleague.get_by_role("button", name="Join", exact=True).click()
    assert colleague.locator("#colisten-joined").inner_text() == code

    lead.get_by_role("button", name="Log the conversation").click()
    lead.locator("#together-on").filter(has_text=code).wait_for()
    shoot(lead, "3-capture-while-co-listening", "#together-on")
    pages.log_conversation(lead, "Main hallway", {"Substantive": 1, "Evidence": 2})
    colleague.get_by_role("button", name="Log the conversation").click()
    pages.log_conversation(colleague, "Main hallway", {"Substantive": 1, "Evidence": 1, "Action": 1})

    colleague.goto("/colisten")
    colleague.locator(".compare").filter(has_text="waiting to sync").wait_for()
    shoot(colleague, "3-offline-waiting", ".compare")

    lead_context.set_offline(False)
    pages.wait_synced(lead)
    colleague_context.set_offline(False)
    pages.wait_synced(colleague)

    for page in (lead, colleague):
        page.goto("/colisten")
        card = page.locator(".compare").filter(has_text=code)
        card.locator("table").wait_for()
        assert "Substantive" in card.locator(".compare__group--agreed").inner_text()
        assert "Evidence" in card.locator(".compare__group--one").inner_text()
        assert "Action" in card.locator(".compare__group--one").inner_text()
        assert "made you tag Evidence" in card.locator(".compare__prompt").inner_text()
    shoot(lead, "4-comparison-lead", ".compare")
    assert accessibility_problems(lead) == []
    shoot(colleague, "5-comparison-colleague", ".compare")

    rows = live_server.rows("SELECT observer_id, colisten_id, counted FROM observation WHERE colisten_code = :code", code=code)
    assert {(row["observer_id"], bool(row["counted"])) for row in rows} == {(lead_user["id"], True), (colleague_user["id"], False)}
    assert len({row["colisten_id"] for row in rows}) == 1 and rows[0]["colisten_id"] is not None
    assert counted_conversations(live_server) == conversations_before + 1
