"""Reading follow-ups: the user's own for the app, one by id, possible owners, and the school view."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.enums import ConversationKind, FollowUpStatus
from tests import factories
from tests.followups.helpers import create_follow_up, create_observation, now


def pulled_ids(client, school) -> list[str]:
    response = client.get(f"/api/v1/follow-ups?school_id={school.id}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_the_owner_and_the_creator_both_pull_the_follow_up(login_as, school):
    owner_client, owner = login_as("observer")
    creator_client, creator = login_as("principal")
    follow_up = create_follow_up(school, owner, creator=creator)

    assert pulled_ids(owner_client, school) == pulled_ids(creator_client, school) == [str(follow_up.id)]


def test_a_colleague_who_neither_owns_nor_created_it_does_not_pull_it(login_as, school):
    _owner_client, owner = login_as("observer")
    colleague_client, _colleague = login_as("observer")
    create_follow_up(school, owner)

    assert pulled_ids(colleague_client, school) == []


def test_the_pull_carries_a_deleted_follow_up_as_a_tombstone(login_as, school):
    client, owner = login_as("observer")
    create_follow_up(school, owner, deleted_at=now(), version=2)

    (item,) = client.get(f"/api/v1/follow-ups?school_id={school.id}").get_json()["items"]

    assert item["deleted_at"] is not None and item["version"] == 2


def test_the_pull_pages_with_its_cursor(login_as, school):
    client, owner = login_as("observer")
    for _ in range(3):
        create_follow_up(school, owner)

    first = client.get(f"/api/v1/follow-ups?school_id={school.id}&limit=2").get_json()
    second = client.get(f"/api/v1/follow-ups?school_id={school.id}&limit=2&since={first['next_cursor']}").get_json()

    assert first["has_more"] is True and len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])


def test_another_schools_pull_is_not_found(login_as, school, other_school):
    client, _user = login_as("principal")

    response = client.get(f"/api/v1/follow-ups?school_id={other_school.id}")

    assert response.status_code == 404


def test_a_misspelt_filter_is_refused(login_as, school):
    client, _user = login_as("observer")

    assert client.get(f"/api/v1/follow-ups?school_id={school.id}&owner=1").status_code == 422


def test_the_owner_opens_the_follow_up_a_reminder_points_at(login_as, school):
    client, owner = login_as("observer")
    follow_up = create_follow_up(school, owner)

    response = client.get(f"/api/v1/follow-ups/{follow_up.id}")

    assert response.status_code == 200
    assert response.get_json()["action"] == follow_up.action and response.get_json()["status"] == "open"


def test_a_principal_opens_any_follow_up_of_the_school(login_as, school):
    client, _principal = login_as("principal")
    follow_up = create_follow_up(school, factories.create_user("observer", school))

    assert client.get(f"/api/v1/follow-ups/{follow_up.id}").status_code == 200


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_someone_elses_follow_up_is_not_found_for_observers_and_viewers(login_as, school, role):
    client, _user = login_as(role)
    follow_up = create_follow_up(school, factories.create_user("observer", school))

    assert client.get(f"/api/v1/follow-ups/{follow_up.id}").status_code == 404


def test_another_schools_follow_up_is_not_found(login_as, school, other_school):
    client, _principal = login_as("principal")
    follow_up = create_follow_up(other_school, factories.create_user("observer", other_school))

    assert client.get(f"/api/v1/follow-ups/{follow_up.id}").status_code == 404


def test_possible_owners_are_the_colleagues_who_can_log_in_the_school(login_as, school, other_school):
    client, principal = login_as("principal")
    observer = factories.create_user("observer", school, name="Avery Observer")
    admin = factories.create_user("district_admin", school, name="Blake Admin")
    factories.create_user("viewer", school)
    factories.create_user("observer", other_school)

    response = client.get(f"/api/v1/follow-ups/owners?school_id={school.id}")

    assert response.status_code == 200
    assert {item["id"] for item in response.get_json()["items"]} == {principal.id, observer.id, admin.id}


def test_a_viewer_may_not_list_possible_owners(login_as, school):
    client, _viewer = login_as("viewer")

    assert client.get(f"/api/v1/follow-ups/owners?school_id={school.id}").status_code == 403


def summary(client, school) -> dict:
    response = client.get(f"/api/v1/schools/{school.id}/follow-up-summary")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_school_view_counts_open_overdue_due_soon_done_and_dropped(login_as, school):
    client, _principal = login_as("principal")
    owner = factories.create_user("observer", school)
    create_follow_up(school, owner, due_in=timedelta(hours=-1))
    create_follow_up(school, owner, due_in=timedelta(hours=-1), snoozed_until=now() + timedelta(days=1))
    create_follow_up(school, owner, due_in=timedelta(days=30))
    create_follow_up(school, owner, status=FollowUpStatus.DONE, changed_practice=True, completed_at=now())
    create_follow_up(school, owner, status=FollowUpStatus.DROPPED, completed_at=now())
    create_follow_up(school, owner, deleted_at=now())

    view = summary(client, school)

    assert (view["open"], view["overdue"], view["due_soon"], view["done"], view["dropped"]) == (3, 1, 1, 1, 1)


def test_the_share_that_changed_practice_comes_with_its_n_and_interval(login_as, school):
    client, _principal = login_as("principal")
    owner = factories.create_user("observer", school)
    for changed in (True, True, False):
        create_follow_up(school, owner, status=FollowUpStatus.DONE, changed_practice=changed, completed_at=now())
    create_follow_up(school, owner, status=FollowUpStatus.DROPPED, completed_at=now())

    share = summary(client, school)["changed_practice"]

    assert (share["n"], share["changed"], share["share"]) == (3, 2, 0.6667)
    assert (share["low"], share["high"]) == pytest.approx((0.2077, 0.9385), abs=1e-4)  # Wilson 2 of 3, by hand


def test_a_dropped_follow_up_is_not_counted_as_practice_unchanged_and_the_summary_agrees_with_results(login_as, school):
    """One changed, one dropped: the old summary said 1 of 2 (dropped counted as "no change"), Results 1 of 1."""
    client, _principal = login_as("principal")
    owner = factories.create_user("observer", school)
    create_follow_up(school, owner, status=FollowUpStatus.DONE, changed_practice=True, completed_at=now())
    create_follow_up(school, owner, status=FollowUpStatus.DROPPED, completed_at=now())

    share = summary(client, school)["changed_practice"]
    results = client.get(f"/api/v1/results/schools/{school.id}").get_json()["totals"]["changed_practice"]

    assert (share["n"], share["changed"], share["share"]) == (1, 1, 1.0)
    assert (results["n"], results["changed"]) == (share["n"], share["changed"])


def test_the_share_is_broken_down_by_trait_heard_and_by_setting(login_as, school):
    client, _principal = login_as("principal")
    owner = factories.create_user("observer", school)
    evidence = create_observation(school, owner, {"evidence": 2, "action": 1}, kind=ConversationKind.DATA_TEAM)
    hallway = create_observation(school, owner, {"people": 1}, kind=ConversationKind.HALLWAY_CHAT)
    create_follow_up(school, owner, observation_id=evidence.id, status=FollowUpStatus.DONE, changed_practice=True, completed_at=now())
    create_follow_up(school, owner, observation_id=hallway.id, status=FollowUpStatus.DONE, changed_practice=False, completed_at=now())
    create_follow_up(school, owner, status=FollowUpStatus.DONE, changed_practice=True, completed_at=now())

    view = summary(client, school)

    by_trait = {item["trait_key"]: (item["n"], item["changed"]) for item in view["by_trait"]}
    by_setting = {item["setting"]: (item["n"], item["changed"]) for item in view["by_setting"]}
    assert by_trait == {"evidence": (1, 1), "action": (1, 1), "people": (1, 0)}
    assert by_setting == {"formal": (1, 1), "informal": (1, 0), None: (1, 1)}


def test_the_school_view_shows_nothing_of_another_school(login_as, school, other_school):
    client, _principal = login_as("principal")
    create_follow_up(other_school, factories.create_user("observer", other_school))

    assert summary(client, school)["open"] == 0
    assert client.get(f"/api/v1/schools/{other_school.id}/follow-up-summary").status_code == 404


def test_an_empty_school_view_has_no_shares(login_as, school):
    client, _principal = login_as("viewer")

    share = summary(client, school)["changed_practice"]

    assert share == {"n": 0, "changed": 0, "share": None, "low": None, "high": None}


@pytest.mark.parametrize("follow_up_id", ["not-a-uuid", "999999", "%00"])
def test_a_malformed_follow_up_id_is_not_found(login_as, school, follow_up_id):
    client, _user = login_as("principal")

    response = client.get(f"/api/v1/follow-ups/{follow_up_id}")

    assert response.status_code == 404 and response.mimetype == "application/problem+json"
