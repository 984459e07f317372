"""The "Where and when" heatmap in Chromium: five cafeteria logs in 38 seconds show as too little
listening to read, in grey stripes with words, and leave the legend and every other colour alone;
under a setting and team filter the legend says what its rate counts. Phone and laptop sizes."""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.conftest import PASSWORD, pages_on_one_engine
from tests.conftest import EASED_HASHING
from tests.subprocesses import run_python

pytestmark = [pytest.mark.browser, pages_on_one_engine("live_server")]

SEED = """
import json
from server import create_app
app = create_app(%r)
with app.app_context():
    from server.db import db
    from server.enums import LocationKind
    from server.schools.models import Location
    from tests import factories
    from tests.heatmaps.conftest import add_observation, add_walk
    school = factories.create_school(name="Burst Middle School")
    db.session.add(Location(school_id=school.id, name="Cafeteria", kind=LocationKind.CAFETERIA))
    db.session.flush()
    for day in ("2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12"):
        walk = add_walk(db, school, f"{day} 09:00", f"{day} 10:00")
        for minute in (10, 30, 50):
            add_observation(db, school, f"{day} 09:{minute}", "Main hallway", walk)
        walk = add_walk(db, school, f"{day} 15:00", f"{day} 16:00")
        for minute in (20, 40):
            add_observation(db, school, f"{day} 15:{minute}", "Staff lounge", walk)
    walk = add_walk(db, school, "2026-11-10 16:00", "2026-11-10 17:00")
    for minute in (5, 15, 25, 35, 45):
        add_observation(db, school, f"2026-11-10 16:{minute:02d}", "Room 204 (PLC)", walk, setting="formal",
                        kind="plc", team="Grade 7")
    walk = add_walk(db, school, "2026-11-10 08:00", "2026-11-10 08:30")
    for second in (0, 7, 14, 21, 28):
        add_observation(db, school, f"2026-11-10 08:00:{second:02d}", "Cafeteria", walk, kind="lunch")
    add_observation(db, school, "2026-11-10 08:00:49", "Main hallway", walk)
    principal = factories.create_user("principal", school, email="burst-principal@example.org", name="Pat Burst")
    db.session.commit()
    print(json.dumps({"school_id": school.id, "email": principal.email}))
""" % (EASED_HASHING,)
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
CELL = """(title) => {
    const cell = [...document.querySelectorAll("td.hm-cell")].find((td) => td.title.startsWith(title));
    const style = getComputedStyle(cell);
    const flag = cell.querySelector(".hm-flag");
    return {classes: cell.className, value: cell.querySelector(".hm-value").textContent,
            flag: flag ? flag.textContent : null, flagShown: !!flag && flag.offsetHeight > 0,
            background: style.backgroundColor, image: style.backgroundImage};
}"""


@pytest.fixture(scope="module")
def burst(live_server) -> dict:
    """A school of its own (so the other browser tests' data stays out), seeded in a child process."""
    result = run_python(SEED, env=live_server.env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def signed_in_at(new_context, size: str, path: str):
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto(f"/login?next={quote(path, safe='')}")
    page.get_by_label("Email address").fill("burst-principal@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("table.heatmap").wait_for()
    page.wait_for_load_state("load")  # the stylesheets too: computed colours are read next
    return page


def keep_screenshot(page, name: str) -> None:
    """With HALLPULSE_SHOTS set, keep a full-page picture there to look at (never committed)."""
    folder = os.environ.get("HALLPULSE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_a_thin_cell_reads_as_too_little_listening_and_leaves_the_legend_alone(new_context, live_server, burst, size):
    page = signed_in_at(new_context, size, f"/schools/{burst['school_id']}/dashboard/frequency")
    keep_screenshot(page, f"frequency-{size}-{live_server.engine}")

    legend = page.locator(".legend__scale li").all_text_contents()
    assert len(legend) == 7 and legend[-1].strip() == "2.8–3.3"
    assert not any("467" in label for label in legend)
    cafeteria = page.evaluate(CELL, "Cafeteria · Period 1")
    assert "hm-thin" in cafeteria["classes"] and "hm-step" not in cafeteria["classes"]
    assert (cafeteria["value"], cafeteria["flag"], cafeteria["flagShown"]) == ("467.5", "too little listening to read", True)
    assert "repeating-linear-gradient" in cafeteria["image"]
    hallway = page.evaluate(CELL, "Main hallway · Period 2")
    assert "hm-step-6" in hallway["classes"]  # 3.0 an hour: the darkest step, not washed out by the cafeteria
    assert hallway["background"] == "rgb(12, 44, 132)"
    assert page.get_by_text("Too little listening to read (under 1 hour").is_visible()


@pytest.mark.parametrize("path", ["dashboard/frequency", "dashboard"])
def test_a_filtered_rate_says_what_it_counts_and_asks_nothing_of_it(new_context, live_server, burst, path):
    page = signed_in_at(new_context, "laptop", f"/schools/{burst['school_id']}/{path}?setting=formal&team=Grade+7")
    keep_screenshot(page, f"{path.replace('/', '-')}-filtered-laptop-{live_server.engine}")

    assert page.get_by_text("Formal · Grade 7 conversations per hour of all listening", exact=True).first.is_visible()
    assert page.get_by_text("listening time can't be split by setting, kind of conversation or team").is_visible()
    if path == "dashboard":
        assert "per hour" not in page.locator(".questions").text_content()
