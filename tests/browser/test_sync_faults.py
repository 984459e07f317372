"""Nothing lost, nothing doubled: the outbox against a flapping network and a server killed mid-sync."""
from __future__ import annotations

import random
import time

import pytest

from tests.browser import pages
from tests.browser.conftest import deadline

pytestmark = pytest.mark.browser


def stored_ids(live_server, user_id: int) -> list[str]:
    rows = live_server.rows("SELECT id FROM observation WHERE observer_id = :user", user=user_id)
    return [str(row["id"]).replace("-", "") for row in rows]


def as_hex(ids: list[str]) -> set[str]:
    return {value.replace("-", "") for value in ids}


def test_flapping_network_during_a_200_log_sync_stores_each_log_once(new_context, live_server, user):
    """Outages by Playwright's offline switch: it cuts the page's fetches, which is where sync runs."""
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)
    context.set_offline(True)
    ids = pages.create_offline_logs(page, 200, live_server.seed["places"]["Main hallway"])

    context.set_offline(False)
    chance = random.Random(2026)
    with deadline(20) as time_left:
        for _ in range(16):
            if not time_left():
                break
            time.sleep(chance.uniform(0.05, 0.4))
            context.set_offline(True)
            time.sleep(chance.uniform(0.05, 0.3))
            context.set_offline(False)
    pages.wait_outbox_empty(page, timeout=60)

    stored = stored_ids(live_server, user["id"])
    assert len(stored) == len(set(stored)) == 200
    assert set(stored) == as_hex(ids)


def test_server_killed_and_restarted_mid_sync_loses_and_doubles_nothing(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)
    context.set_offline(True)
    ids = pages.create_offline_logs(page, 150, live_server.seed["places"]["Staff lounge"])

    context.set_offline(False)
    with deadline(30) as time_left:
        while time_left() and not stored_ids(live_server, user["id"]):
            time.sleep(0.02)
    live_server.kill()
    try:
        assert pages.pending_in_outbox(page) > 0, "the sync finished before the kill: nothing was tested"
        time.sleep(1)
    finally:
        live_server.start()
    pages.wait_outbox_empty(page, timeout=60)

    stored = stored_ids(live_server, user["id"])
    assert len(stored) == len(set(stored)) == 150
    assert set(stored) == as_hex(ids)
