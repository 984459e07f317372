"""Joining a co-listen by scanning the lead's QR code (a join link any camera app opens), and ending a
co-listen on the phone, both with no signal. The QR drawn by the lead's phone is decoded here with a real
decoder (zxing-cpp), so the test reads exactly what a colleague's camera would."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser import pages
from tests.browser.test_colisten import accessibility_problems, counted_conversations, phone, shoot

pytestmark = pytest.mark.browser
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (the test extras) decodes the drawn QR code")
Image = pytest.importorskip("PIL.Image")

READ_CODE = """async (text) => (await import("/js/colisten.js")).readCode(text)"""
OUTBOX = """async () => (await (await import("/js/db.js")).getAll("outbox")).map((e) => ({id: e.id, type: e.type,
    version: e.version, record: e.record}))"""
LAST_LOG_CODE = """async () => {
    const logs = await (await import("/js/db.js")).getAll("observations");
    return logs.sort((a, b) => (a.observed_at < b.observed_at ? -1 : 1)).map((o) => o.colisten_code ?? null);
}"""


def decode_qr(page, code: str) -> str:
    """What a camera reads from the QR the phone drew: the element rendered to PNG, decoded by zxing-cpp."""
    png = page.get_by_role("img", name=f"QR code for co-listen {code}").screenshot()
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text


def test_a_colleague_joins_offline_by_scanning_the_leads_qr_code(new_context, live_server):
    lead_user, colleague_user = live_server.next_user(), live_server.next_user()
    lead_context, lead = phone(new_context, lead_user)
    colleague_context, colleague = phone(new_context, colleague_user)
    conversations_before = counted_conversations(live_server)
    lead_context.set_offline(True)
    colleague_context.set_offline(True)

    lead.get_by_role("button", name="Listen together with a colleague").click()
    lead.get_by_role("button", name="Start a co-listen").click()
    code = lead.locator("#colisten-lead-code").inner_text()
    scanned = decode_qr(lead, code)
    assert scanned == f"{live_server.url}/colisten?code={code}"
    assert colleague.evaluate(READ_CODE, scanned) == code

    colleague.goto(scanned)  # the camera app opens the link: the app shell answers it with no signal
    expect(colleague.locator("#colisten-joined")).to_have_text(code)
    expect(colleague.locator("#toast")).to_contain_text(f"Joined co-listen {code}")
    assert colleague.evaluate("() => window.location.search") == ""  # a reload does not join again
    shoot(colleague, "6-joined-from-qr-link", "#colisten-active")
    assert accessibility_problems(colleague) == []

    lead.get_by_role("button", name="Log the conversation").click()
    pages.log_conversation(lead, "Main hallway", {"Evidence": 2, "Questions": 1})
    colleague.get_by_role("button", name="Log the conversation").click()
    colleague.locator("#together-on").filter(has_text=code).wait_for()
    pages.log_conversation(colleague, "Main hallway", {"Evidence": 1, "Questions": 1})

    lead_context.set_offline(False)
    colleague_context.set_offline(False)
    for page in (lead, colleague):
        pages.wait_synced(page)
    for page in (lead, colleague):
        page.goto("/colisten")
        card = page.locator(".compare").filter(has_text=code)
        expect(card.locator(".compare__group--agreed")).to_contain_text("Questions")
        expect(card.locator(".compare__group--one")).to_contain_text("Evidence")
    shoot(colleague, "7-comparison-after-qr-join", ".compare")
    assert counted_conversations(live_server) == conversations_before + 1


def test_a_link_without_a_valid_code_says_so_and_joins_nothing(new_context, live_server):
    context, page = phone(new_context, live_server.next_user())
    context.set_offline(True)

    page.goto("/colisten?code=NOPE01")

    expect(page.locator(".colisten__message")).to_contain_text("no co-listen code")
    expect(page.get_by_role("button", name="Start a co-listen")).to_be_visible()


def test_the_lead_ends_a_co_listen_offline_once_and_later_logs_carry_no_code(new_context, live_server):
    lead_user = live_server.next_user()
    context, lead = phone(new_context, lead_user)
    context.set_offline(True)
    lead.get_by_role("button", name="Listen together with a colleague").click()
    lead.get_by_role("button", name="Start a co-listen").click()
    code = lead.locator("#colisten-lead-code").inner_text()
    shoot(lead, "8-lead-before-ending", "#colisten-active")

    lead.locator("#colisten-end").dblclick()  # a double tap ends it once
    expect(lead.get_by_role("button", name="Start a co-listen")).to_be_visible()
    expect(lead.locator("#toast")).to_contain_text(f"Co-listen {code} ended")
    shoot(lead, "9-lead-after-ending")
    [entry] = lead.evaluate(OUTBOX)
    assert (entry["type"], entry["version"], entry["record"]["code"]) == ("colisten", 2, code)
    ended_at = datetime.fromisoformat(entry["record"]["expires_at"])

    lead.reload()  # still ended, still one entry, after a reload with no signal
    lead.goto("/colisten")
    expect(lead.get_by_role("button", name="Start a co-listen")).to_be_visible()
    assert len(lead.evaluate(OUTBOX)) == 1

    lead.goto("/")
    expect(lead.locator("#listen-together")).to_be_visible()
    pages.log_conversation(lead, "Main hallway", {"Evidence": 1})
    assert lead.evaluate(LAST_LOG_CODE)[-1] is None

    context.set_offline(False)
    pages.wait_synced(lead)
    [session] = live_server.rows("SELECT version, expires_at FROM colisten_session WHERE code = :code", code=code)
    assert session["version"] == 2
    stored_end = session["expires_at"]
    stored_end = datetime.fromisoformat(stored_end) if isinstance(stored_end, str) else stored_end
    assert abs((stored_end.replace(tzinfo=None) - ended_at.astimezone(stored_end.tzinfo).replace(tzinfo=None)).total_seconds()) < 1
    assert live_server.rows("SELECT COUNT(*) AS n FROM observation WHERE observer_id = :me AND colisten_code IS NOT NULL",
                            me=lead_user["id"])[0]["n"] == 0


def test_a_colleague_leaves_a_co_listen_offline_and_nothing_is_sent(new_context, live_server):
    context, colleague = phone(new_context, live_server.next_user())
    context.set_offline(True)
    colleague.goto("/colisten?code=K7QW3P")
    expect(colleague.locator("#colisten-joined")).to_have_text("K7QW3P")

    colleague.get_by_role("button", name="End co-listen").dblclick()
    expect(colleague.get_by_role("button", name="Start a co-listen")).to_be_visible()
    colleague.reload()
    expect(colleague.get_by_role("button", name="Start a co-listen")).to_be_visible()
    assert colleague.evaluate(OUTBOX) == []

    colleague.goto("/")
    pages.log_conversation(colleague, "Main hallway", {"Action": 1})
    assert colleague.evaluate(LAST_LOG_CODE)[-1] is None
