"""Markup and formulas in names, teams, notes and follow-ups stay text: in the capture app, on the
dashboard pages and in their CSV downloads (where a leading = + - @ is defused with a quote).

Each payload marks where it came from (`window.__pwned = 'team'`), so a leak says which field leaked.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest

from tests.browser import pages
from tests.browser.conftest import deadline, pages_on_one_engine

pytestmark = [pytest.mark.browser, pages_on_one_engine("live_server")]


def img(where: str) -> str:
    return f"<img src=x onerror=\"window.__pwned='{where}';alert('{where}')\">"


def svg(where: str) -> str:
    return f"\"><svg onload=\"window.__pwned='{where}';alert('{where}')\">"


def script(where: str) -> str:
    return f"<script>window.__pwned='{where}';alert('{where}')</script>"


@dataclass(frozen=True)
class Log:
    place: str
    team: str
    note: str
    follow_up: str | None = None


NAME = img("name")
PLACES = (img("place"), svg("place"), script("place"), '=HYPERLINK("http://127.0.0.1/x","click")')
FOLLOW_UP = svg("follow-up")
LOGS = (
    Log(PLACES[0], svg("team"), script("note"), FOLLOW_UP),
    Log(PLACES[1], "+1+1", img("note")),
    Log(PLACES[2], "@SUM(A1)", svg("note")),
    Log(PLACES[3], img("team"), "-2+3"),
)
TEAMS = tuple(log.team for log in LOGS)
FORMULA_STARTS = ("=", "+", "-", "@")
SETTLE_MS = 300  # long enough for a failed <img src=x> to fire its error event

CSP_LOG = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
           "(e) => window.__csp.push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber));")
OWN_TEXTS = """(selector) => [...document.querySelectorAll(selector)].map((element) => [...element.childNodes]
    .filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join("").trim())"""
INJECTED = """() => ({
    pwned: window.__pwned ?? null,
    handlers: [...document.querySelectorAll("*")].flatMap((element) => [...element.attributes]
        .filter((attribute) => attribute.name.startsWith("on"))
        .map((attribute) => `${element.localName}[${attribute.name}]`)),
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.scripts].filter((element) => element.textContent.includes("__pwned")).length,
    csp: window.__csp.filter((violation) => violation.startsWith("script-src")),
})"""
NOTHING_INJECTED = {"pwned": None, "handlers": [], "images": 0, "scripts": 0, "csp": []}


def defused(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def own_texts(page, selector: str) -> list[str]:
    """The text each matching element holds itself (a label, not its child badges): markup parsed
    into elements would be missing from it."""
    return page.evaluate(OWN_TEXTS, selector)


def texts_once_shown(page, selector: str, expected, seconds: float = 15) -> list[str]:
    """own_texts as soon as they include every `expected` text, or as they are when time is up."""
    with deadline(seconds) as time_left:
        while True:
            texts = own_texts(page, selector)
            if set(expected) <= set(texts) or not time_left():
                return texts
            time.sleep(0.1)


class Watched:
    """A browser profile that records dialogs and script CSP violations, and checks a page ran no payload."""

    def __init__(self, context):
        self.context = context
        self.dialogs: list[str] = []
        context.add_init_script(CSP_LOG)
        context.on("dialog", self.saw_dialog)

    def saw_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def page_at(self, user: dict, path: str):
        """Sign in on the server's page and land on `path`."""
        page = self.context.new_page()
        page.goto(f"/login?next={quote(path, safe='')}")
        page.get_by_label("Email address").fill(user["email"])
        page.get_by_label("Password").fill(user["password"])
        page.get_by_role("button", name="Sign in").click()
        page.locator(".site-nav__who").wait_for()
        return page

    def assert_nothing_ran(self, page) -> None:
        page.wait_for_timeout(SETTLE_MS)
        assert (page.evaluate(INJECTED), self.dialogs) == (NOTHING_INJECTED, [])


@pytest.fixture()
def watch(new_context):
    return Watched(new_context())


def choose_place(page, name: str) -> None:
    """The place's chip, or its entry under "Other place…" when it is not among the chips."""
    chip = page.locator(".places").get_by_role("button", name=name, exact=True)
    if chip.count():
        chip.click()
    else:
        page.locator("#place-other").select_option(label=name)


def log_with_details(page, log: Log) -> None:
    choose_place(page, log.place)
    pages.tap_trait(page, "Evidence")
    page.get_by_role("button", name="More details").click()
    page.locator("#detail-team").fill(log.team)
    page.locator("#detail-note").fill(log.note)
    if log.follow_up:
        page.get_by_label("Needs follow-up").check()
        page.locator("#screen-capture").get_by_label("What to do").fill(log.follow_up)
    pages.save(page)


@pytest.fixture(scope="module")
def leader(live_server, browser):
    """A principal named with markup adds hostile places on the school page, then logs hostile teams,
    notes and a follow-up in the app. The places are archived afterwards, so the tests after this
    module still find the seeded places among the capture chips."""
    user = live_server.next_user()
    school_id = live_server.seed["school_id"]
    live_server.execute('UPDATE "user" SET name = :name WHERE id = :id', name=NAME, id=user["id"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  timezone_id="America/Chicago", locale="en-US", service_workers="allow")
    context.set_default_timeout(15000)
    try:
        page = Watched(context).page_at(user, f"/schools/{school_id}")
        for name in PLACES:
            page.locator("#new-place-name").fill(name)
            page.get_by_role("button", name="Add place").click()
            page.locator(".notice--success").filter(has_text=f"\u201c{name}\u201d is added").wait_for()
        page.goto("/")
        texts_once_shown(page, ".places button, #place-other option", PLACES)
        for log in LOGS:
            log_with_details(page, log)
        pages.wait_synced(page)
        yield user
    finally:
        for name in PLACES:
            live_server.execute("UPDATE location SET archived = :archived WHERE school_id = :school AND name = :name",
                                archived=True, school=school_id, name=name)
        context.close()


# ---------------------------------------------------------------- the capture app

def test_place_picker_shows_hostile_place_names_as_text(watch, leader):
    page = pages.signed_in_app(watch.context, leader)
    shown = texts_once_shown(page, ".places button, #place-other option", PLACES)
    assert set(PLACES) <= set(shown)
    watch.assert_nothing_ran(page)


def test_a_hostile_place_logged_last_is_the_chosen_chip_when_the_app_opens_again(watch, leader):
    page = pages.signed_in_app(watch.context, leader)
    texts_once_shown(page, ".places button, #place-other option", PLACES)
    choose_place(page, PLACES[2])
    pages.tap_trait(page, "People")
    pages.save(page)
    page.reload()
    chip = page.locator(".places button").first
    chip.wait_for()
    assert (own_texts(page, ".places button")[0], chip.get_attribute("aria-pressed")) == (PLACES[2], "true")
    watch.assert_nothing_ran(page)


def test_my_log_shows_hostile_places_notes_and_user_name_as_text(watch, leader):
    page = pages.signed_in_app(watch.context, leader)
    page.get_by_role("link", name="My log").click()
    notes = texts_once_shown(page, "#screen-log .entry__note", [log.note for log in LOGS])
    assert {log.note for log in LOGS} <= set(notes)
    assert set(PLACES) <= set(own_texts(page, "#screen-log .entry__place"))
    assert own_texts(page, ".account__who") == [f"Signed in as {NAME}"]
    watch.assert_nothing_ran(page)


def test_editing_a_log_shows_its_hostile_team_and_note_as_text(watch, leader):
    page = pages.signed_in_app(watch.context, leader)
    page.get_by_role("link", name="My log").click()
    texts_once_shown(page, "#screen-log .entry__note", [LOGS[0].note])
    page.locator(".entry", has_text=LOGS[0].note).get_by_role("button", name="Edit").click()
    page.get_by_role("button", name="Save changes").wait_for()
    assert (page.locator("#detail-team").input_value(), page.locator("#detail-note").input_value()) == (
        LOGS[0].team, LOGS[0].note)
    watch.assert_nothing_ran(page)


def test_follow_ups_show_a_hostile_action_and_owner_name_as_text(watch, leader):
    page = pages.signed_in_app(watch.context, leader)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    assert FOLLOW_UP in texts_once_shown(page, "#follow-up-lists .entry__action", [FOLLOW_UP])
    page.get_by_role("button", name="New follow-up").click()
    assert f"Me ({NAME})" in texts_once_shown(page, "#new-follow-up-owner option", [f"Me ({NAME})"])
    watch.assert_nothing_ran(page)


# ---------------------------------------------------------------- the dashboard pages

SIGNED_IN = {".site-nav__who": (NAME,)}
FILTERS = {**SIGNED_IN, "#f-team option": TEAMS, "#f-observer option": (NAME,)}
DASHBOARD_PAGES = [
    pytest.param("", {}, {**SIGNED_IN, "th[scope=row]": (*PLACES, NAME)}, id="school-places-and-staff"),
    pytest.param("/dashboard", {}, FILTERS, id="overview"),
    pytest.param("/dashboard/quality", {"by": "place"}, {**FILTERS, "thead th": PLACES}, id="traits-by-place"),
    pytest.param("/dashboard/quality", {"by": "team"}, {**FILTERS, "thead th": TEAMS}, id="traits-by-team"),
    pytest.param("/dashboard/quality", {"by": "team", "team": TEAMS[0]},
                 {**FILTERS, "thead th": TEAMS[:1], "#f-team option[selected]": TEAMS[:1]},
                 id="filtered-by-a-hostile-team"),
    pytest.param("/dashboard/frequency", {}, {**FILTERS, "tbody th": PLACES}, id="frequency-by-place"),
    pytest.param("/dashboard/trends", {}, FILTERS, id="trends"),
]


def school_path(live_server, page: str, query: dict) -> str:
    return f"/schools/{live_server.seed['school_id']}{page}" + (f"?{urlencode(query)}" if query else "")


@pytest.mark.parametrize("page_path, query, shown", DASHBOARD_PAGES)
def test_dashboard_pages_show_hostile_names_as_text(watch, live_server, leader, page_path, query, shown):
    page = watch.page_at(leader, school_path(live_server, page_path, query))
    missing = {selector: sorted(set(texts) - set(own_texts(page, selector))) for selector, texts in shown.items()}
    assert missing == {selector: [] for selector in shown}
    watch.assert_nothing_ran(page)


# ---------------------------------------------------------------- CSV downloads

def downloaded_csv(page, link: str) -> list[list[str]]:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    with open(download.value.path(), newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def live_formulas(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


CELLS = {"header": lambda rows: rows[1], "first column": lambda rows: [row[0] for row in rows]}
TABLE_CSVS = [
    pytest.param("/dashboard/quality", {"by": "team"}, "header", TEAMS, id="teams-as-columns"),
    pytest.param("/dashboard/quality", {"by": "place"}, "header", PLACES, id="places-as-columns"),
    pytest.param("/dashboard/frequency", {}, "first column", PLACES, id="places-as-rows"),
]


@pytest.mark.parametrize("page_path, query, where, expected", TABLE_CSVS)
def test_table_csv_keeps_markup_literal_and_defuses_formulas(watch, live_server, leader, page_path, query, where,
                                                             expected):
    page = watch.page_at(leader, school_path(live_server, page_path, query))
    rows = downloaded_csv(page, "Download this table (CSV)")
    assert {defused(text) for text in expected} - set(CELLS[where](rows)) == set()
    assert live_formulas(rows) == []


def test_observations_csv_keeps_hostile_places_teams_and_notes_literal_and_defused(watch, live_server, leader):
    page = watch.page_at(leader, school_path(live_server, "/dashboard/quality", {}))
    header, *rows = downloaded_csv(page, "Download the conversations behind it (CSV)")
    exported = {tuple(row[header.index(column)] for column in ("place", "team", "note")) for row in rows}
    assert {(defused(log.place), defused(log.team), defused(log.note)) for log in LOGS} - exported == set()
    assert live_formulas([header, *rows]) == []
