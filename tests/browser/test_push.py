"""Web Push in Chromium: the reminders panel, and the service worker showing a pushed follow-up."""
from __future__ import annotations

import json
import time

import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser


def registration_id(page, cdp, scope: str) -> str:
    """The service worker registration's id, from the ServiceWorker domain's events (bounded wait;
    page.wait_for_timeout lets Playwright deliver the events)."""
    seen: dict[str, str] = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: seen.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    end = time.monotonic() + 10
    while scope not in seen and time.monotonic() < end:
        page.wait_for_timeout(100)
    assert scope in seen, seen
    return seen[scope]


def test_pushed_follow_up_shows_a_notification_that_replaces_its_repeat(new_context, live_server, user):
    context = new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = pages.signed_in_app(context, user)
    cdp = context.new_cdp_session(page)
    registration = registration_id(page, cdp, f"{live_server.url}/")
    payload = {"v": 1, "kind": "follow_up", "title": "Follow-up due", "body": "Ask the team about exit tickets",
               "icon": "/icons/icon-192.png", "tag": "follow-up-1234", "url": "/follow-ups?id=1234"}
    for _ in range(2):
        cdp.send("ServiceWorker.deliverPushMessage",
                 {"origin": live_server.url, "registrationId": registration, "data": json.dumps(payload)})
    shown = pages.poll(page, """async () => {
        const list = await (await navigator.serviceWorker.ready).getNotifications();
        return list.length ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })) : null;
    }""")
    assert shown == [{"title": "Follow-up due", "body": "Ask the team about exit tickets", "tag": "follow-up-1234",
                      "data": {"url": "/follow-ups?id=1234"}}]


def test_reminders_panel_says_what_is_sent_and_reports_a_failed_subscription(new_context, live_server, user):
    context = new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = pages.signed_in_app(context, user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    panel = page.locator("#push-panel")
    assert "no notes" in panel.inner_text()
    panel.get_by_role("button", name="Allow reminders on this phone").click()
    state = page.locator("#push-state")
    pages.poll(page, """() => { const s = document.querySelector("#push-state"); return !!s && !/Working/.test(s.textContent); }""")
    subscribed = live_server.rows("SELECT count(*) AS n FROM push_subscription WHERE user_id = :user", user=user["id"])[0]["n"]
    if subscribed:  # a push service was reachable: the device is registered and can be stopped
        assert state.inner_text() == "Reminders are on for this phone."
        panel.get_by_role("button", name="Stop reminders").click()
        pages.poll(page, """() => /off/.test(document.querySelector("#push-state")?.textContent ?? "")""")
        assert live_server.rows("SELECT count(*) AS n FROM push_subscription WHERE user_id = :user", user=user["id"])[0]["n"] == 0
    else:  # headless Chromium refuses push in its private profiles: the failure is explained, nothing stored
        assert state.inner_text().startswith(("This browser refused reminders", "The browser\u2019s push service could not be reached"))
        assert panel.get_by_role("button", name="Allow reminders on this phone").is_visible()


def test_iphone_safari_outside_the_home_screen_explains_adding_it_first(new_context, live_server, user):
    context = new_context(user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                                     "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
    context.add_init_script("Object.defineProperty(navigator, 'standalone', { value: false })")
    page = pages.signed_in_app(context, user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    assert "Add to Home Screen" in page.locator("#push-state").inner_text()
    assert page.get_by_role("button", name="Allow reminders on this phone").is_hidden()


def deny_notifications(context, page, origin: str) -> None:
    """Block notifications for the site in this browser profile, as a user does in site settings."""
    cdp = context.new_cdp_session(page)
    browser_context_id = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
    cdp.send("Browser.setPermission", {"permission": {"name": "notifications"}, "setting": "denied",
                                       "origin": origin, "browserContextId": browser_context_id})


BLOCKED = "Notifications are blocked for this site \u2014 allow them in the browser\u2019s site settings, then try again."


def test_blocked_notifications_are_reported_as_blocked_not_as_a_connection_problem(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    deny_notifications(context, page, live_server.url)
    page.goto("/follow-ups")
    state = page.locator("#push-state")
    pages.poll(page, """() => /blocked/.test(document.querySelector("#push-state")?.textContent ?? "")""")
    assert state.inner_text() == BLOCKED
    page.get_by_role("button", name="Allow reminders on this phone").click()
    pages.poll(page, """() => { const s = document.querySelector("#push-state"); return !!s && !/Working/.test(s.textContent); }""")
    assert state.inner_text() == BLOCKED


def test_browser_refusing_push_is_reported_as_a_permission_not_a_connection(new_context, live_server, user):
    """Notifications allowed, but the browser refuses the push subscription itself (Chromium does in a
    private profile, as Playwright's contexts are): say so, and where to change it."""
    context = new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = pages.signed_in_app(context, user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("button", name="Allow reminders on this phone").click()
    pages.poll(page, """() => { const s = document.querySelector("#push-state"); return !!s && !/Working/.test(s.textContent); }""")
    if live_server.rows("SELECT count(*) AS n FROM push_subscription WHERE user_id = :user", user=user["id"])[0]["n"]:
        pytest.skip("this Chromium has a push service: nothing was refused")
    text = page.locator("#push-state").inner_text()
    assert "connection" not in text
    assert text.startswith("This browser refused reminders for this site.")
    assert "site settings" in text


def test_turning_reminders_on_offline_says_it_needs_a_connection(new_context, live_server, user):
    context = new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = pages.signed_in_app(context, user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("button", name="Allow reminders on this phone").wait_for()  # the panel is on demand
    context.set_offline(True)
    page.get_by_role("button", name="Allow reminders on this phone").click()
    pages.poll(page, """() => { const s = document.querySelector("#push-state"); return !!s && !/Working/.test(s.textContent); }""")
    assert page.locator("#push-state").inner_text() == "Turning reminders on or off needs a connection."
