"""The calibration pages in Chromium on the demo district, at phone and laptop size: agreement per trait with
alpha, its interval and n, framed as calibration rather than evaluation; each observer's drift shown to
principals and district admins in full, to an observer as their own line only, and to a viewer not at all."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import pages_on_one_engine
from tests.browser.test_dashboards import LAPTOP, PHONE, lincoln

pytestmark = [pytest.mark.browser, pages_on_one_engine("demo")]
SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i17-calibration"))
SIZES = {"phone": PHONE, "laptop": LAPTOP}
TRAITS = ["Substantive", "Evidence", "Questions", "Non-defensive", "People", "Professional knowledge", "Action"]
ALPHA = re.compile(r"^-?\d\.\d\d n (\d+) ?95 ?% interval -?\d\.\d\d to -?\d\.\d\d$")
SHARE = re.compile(r"^\d{1,3} ?% n (\d+)$")


def shot(page, name: str, size: str, engine: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}-{engine}.png"), full_page=True)


def school_page(signed_in, demo, email: str, size: str):
    page = signed_in(email, SIZES[size], fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/calibration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Do we hear the same thing?")
    return page


def trait_rows(page) -> dict[str, list[str]]:
    """Trait → its cells' text, as the agreement table shows them."""
    rows = page.locator("#cal-traits tbody tr")
    return {rows.nth(i).locator("th").inner_text(): [" ".join(cell.split()) for cell in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())}


def assert_agreement_table(page) -> None:
    """Every trait has a row; each figure has its n; alpha has a 95 % interval or says in words why not."""
    rows = trait_rows(page)
    assert list(rows) == TRAITS
    with_interval = 0
    for trait, (exact, alpha, reading, _kappa, apart) in rows.items():
        assert SHARE.match(exact), (trait, exact)
        found = ALPHA.match(alpha)
        if found:
            with_interval += 1
            assert int(found.group(1)) == int(SHARE.match(exact).group(1))
            assert reading.split()[-1] in ("Reliable", "Tentative", "yet") or "too few" in reading, (trait, reading)
        else:
            assert alpha and "nan" not in alpha.lower(), (trait, alpha)
        assert apart.isdigit()
    assert with_interval >= 5
    assert "Evidence" in page.locator(".cal-splits").inner_text()


def assert_fits(page) -> None:
    """The page never scrolls sideways; wide tables scroll in their own box."""
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def axe_problems(page) -> list[str]:
    """Serious or critical axe-core findings (tests/js). The page's CSP refuses an added script tag, so axe
    is evaluated through the DevTools protocol instead, which the CSP does not govern."""
    from tests.browser.test_capture import AXE
    from tests.conftest import skip_or_fail

    if not AXE.exists():
        skip_or_fail("axe-core is not installed for the chromium tests")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => (await axe.run(document)).violations
        .filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)""")


@pytest.mark.parametrize("size", SIZES)
def test_a_principal_sees_agreement_per_trait_by_month_and_every_observers_drift(signed_in, demo, size):
    page = school_page(signed_in, demo, "principal@lincoln.demo", size)

    expect(page.locator("main .lead").first).to_contain_text("calibration of the team's ears, not a grade")
    expect(page.locator("#cal-key")).to_contain_text("0.80 or more")
    assert_agreement_table(page)
    months = page.locator("#cal-months tbody tr")
    assert months.count() >= 3
    assert all(re.search(r"n \d+", text) for text in months.locator("td").nth(1).all_inner_texts() or ["n 0"])
    drift = page.locator("#cal-drift tbody tr")
    expect(page.locator("#cal-drift-title")).to_have_text("Each observer's ear against the others'")
    names = drift.locator("th").all_inner_texts()
    assert {"Derek Thompson", "Priya Natarajan"} <= {name.replace(" (you)", "") for name in names}
    assert re.search(r"▲\d+ ▼\d+\s+of \d+", drift.first.inner_text())
    expect(page.locator(".cal-drift")).to_contain_text("not a fault")
    assert_fits(page)
    shot(page, "school-principal", size, demo.engine)
    assert axe_problems(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_an_observer_sees_only_their_own_drift_line(signed_in, demo, size):
    page = school_page(signed_in, demo, "ap@lincoln.demo", size)

    assert_agreement_table(page)
    expect(page.locator("#cal-drift-title")).to_have_text("Your ear against your colleagues'")
    expect(page.locator("#cal-drift tbody tr")).to_have_count(1)
    expect(page.locator("#cal-drift tbody th")).to_have_text("Derek Thompson (you)")
    assert "Priya Natarajan" not in page.locator("main").inner_text()
    assert_fits(page)
    shot(page, "school-observer", size, demo.engine)


@pytest.mark.parametrize("size", SIZES)
def test_a_viewer_sees_agreement_but_no_ones_drift(signed_in, demo, size):
    page = school_page(signed_in, demo, "counselor@lincoln.demo", size)

    assert_agreement_table(page)
    expect(page.locator(".cal-drift")).to_have_count(0)
    text = page.locator("main").inner_text()
    assert "Derek Thompson" not in text and "Priya Natarajan" not in text
    assert_fits(page)
    shot(page, "school-viewer", size, demo.engine)


@pytest.mark.parametrize("size", SIZES)
def test_the_district_admin_sees_the_district_pooled_and_school_by_school(signed_in, demo, size):
    page = signed_in("district@maplevalley.demo", SIZES[size], fresh=False)
    page.goto(f"/district/{demo.seed['district_id']}/calibration")

    expect(page.get_by_role("heading", level=1)).to_contain_text("do our observers hear the same thing?")
    expect(page.locator("main .lead").first).to_contain_text("not a ranking of schools")
    rows = trait_rows(page)
    assert list(rows) == TRAITS
    assert sum(bool(ALPHA.match(cells[1])) for cells in rows.values()) >= 5
    schools = page.locator("#cal-schools tbody th").all_inner_texts()
    assert sorted(schools) == sorted(demo.seed["schools"])
    assert page.locator("#cal-months tbody tr").count() >= 3
    assert_fits(page)
    shot(page, "district", size, demo.engine)
    assert axe_problems(page) == []

    page.locator("#cal-schools").get_by_role("link", name="Lincoln Middle School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Do we hear the same thing?")
    expect(page.locator("#cal-drift-title")).to_have_text("Each observer's ear against the others'")
    assert page.locator("#cal-drift tbody tr").count() >= 2
    shot(page, "school-district-admin", size, demo.engine)
