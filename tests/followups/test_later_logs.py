"""The later logs a follow-up's closer may link as evidence: the school's live logs heard after the one it came
from that the user may see (an observer their own, a principal everyone's), same place or team first."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from server.db import db
from server.enums import ConversationKind
from server.observations.models import Observation, ObservationTraitLevel
from server.schools.models import Location
from tests import factories
from tests.followups.helpers import completed, create_follow_up, local_iso
from tests.followups.test_follow_up_sync import statuses, sync

SOURCE_AT = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


def log(school, observer, hours_after: float, place: int = 0, team: str | None = "Grade 7", deleted=False) -> Observation:
    rubric = factories.default_rubric()
    places = db.session.scalars(select(Location.id).where(Location.school_id == school.id).order_by(Location.id)).all()
    at = SOURCE_AT + timedelta(hours=hours_after)
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, rubric_id=rubric.id, location_id=places[place],
        observed_at=at, local_date=at.date(), setting=ConversationKind.PLC.setting, conversation_kind=ConversationKind.PLC,
        team=team, deleted_at=at if deleted else None,
        trait_levels=[ObservationTraitLevel(trait_id=t.id, level=1) for t in rubric.traits])
    db.session.add(observation)
    db.session.commit()
    return observation


@pytest.fixture()
def scene(login_as, school, other_school):
    principal_client, principal = login_as("principal")
    observer_client, observer = login_as("observer")
    colleague = factories.create_user(role="observer", school=school)
    source = log(school, principal, 0)
    follow_up = create_follow_up(school, owner=observer, creator=principal, observation_id=source.id)
    logs = {
        "earlier": log(school, observer, -2),
        "mine_elsewhere_newest": log(school, observer, 30, place=1, team="Art"),
        "mine_same_place": log(school, observer, 5),
        "mine_same_team_elsewhere": log(school, observer, 20, place=1),
        "mine_deleted": log(school, observer, 25, deleted=True),
        "colleague_same_place": log(school, colleague, 10),
        "principal_later": log(school, principal, 3, place=1, team=None),
        "other_school": log(other_school, factories.create_user(role="observer", school=other_school), 8),
    }
    return {"principal": principal_client, "observer": observer_client, "observer_user": observer,
            "follow_up": follow_up, "logs": logs, "source": source}


def listed(client, follow_up, **query) -> list[str]:
    response = client.get(f"/api/v1/follow-ups/{follow_up.id}/later-logs", query_string=query)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def names(scene, ids) -> list[str]:
    by_id = {str(o.id): name for name, o in scene["logs"].items()}
    return [by_id.get(i, "?") for i in ids]


def test_an_observer_owner_gets_their_own_later_logs_same_place_or_team_first(scene):
    assert names(scene, listed(scene["observer"], scene["follow_up"])) == [
        "mine_same_team_elsewhere", "mine_same_place", "mine_elsewhere_newest"]


def test_a_principal_gets_everyones_later_logs_in_the_school(scene):
    response = scene["principal"].get(f"/api/v1/follow-ups/{scene['follow_up'].id}/later-logs")
    items = response.get_json()["items"]
    assert names(scene, [i["id"] for i in items]) == [
        "mine_same_team_elsewhere", "colleague_same_place", "mine_same_place", "mine_elsewhere_newest", "principal_later"]
    first = items[0]
    assert (first["same_place"], first["same_team"], first["mine"], first["team"]) == (False, True, False, "Grade 7")
    assert items[-1]["mine"] is True and items[-1]["place"]
    source = response.get_json()["source"]
    assert source["location_id"] == scene["source"].location_id and source["team"] == "Grade 7"
    assert source["observed_at"].startswith("2026-11-24T14:00:00")


def test_the_limit_keeps_the_first_ones(scene):
    assert names(scene, listed(scene["principal"], scene["follow_up"], limit=2)) == [
        "mine_same_team_elsewhere", "colleague_same_place"]


def test_every_listed_log_is_accepted_as_evidence_by_the_sync(scene, school):
    """The picker offers exactly what closing accepts: the owner closes with the first one listed."""
    client, follow_up = scene["observer"], scene["follow_up"]
    first = listed(client, follow_up)[0]
    body = {"type": "follow_up", "id": str(follow_up.id), "version": 2, "owner_id": scene["observer_user"].id,
            "action": follow_up.action, "due_at": local_iso(follow_up.due_at), "observation_id": str(scene["source"].id)}
    refused = {**completed(body), "evidence_observation_id": str(scene["logs"]["colleague_same_place"].id)}
    assert statuses(sync(client, school, refused)) != ["stored"]  # a colleague's log: not the observer's to see
    assert statuses(sync(client, school, {**completed(body), "evidence_observation_id": first})) == ["stored"]


def test_a_follow_up_from_no_log_has_none(login_as, school):
    client, observer = login_as("observer")
    log(school, observer, 5)
    follow_up = create_follow_up(school, owner=observer)
    assert listed(client, follow_up) == []
    assert client.get(f"/api/v1/follow-ups/{follow_up.id}/later-logs").get_json()["source"] is None


def test_a_deleted_source_log_has_none(scene):
    scene["source"].deleted_at = SOURCE_AT
    db.session.commit()
    assert listed(scene["principal"], scene["follow_up"]) == []


@pytest.mark.parametrize("follow_up_id", ["not-a-uuid", str(uuid.UUID(int=5))])
def test_a_missing_follow_up_is_not_found(scene, follow_up_id):
    assert scene["observer"].get(f"/api/v1/follow-ups/{follow_up_id}/later-logs").status_code == 404


def test_a_colleagues_follow_up_is_not_found_for_an_observer(scene, login_as):
    stranger, _ = login_as("observer")
    response = stranger.get(f"/api/v1/follow-ups/{scene['follow_up'].id}/later-logs")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 51}, {"limit": "many"}, {"lmit": 3}])
def test_bad_arguments_are_a_clear_422(scene, query):
    response = scene["observer"].get(f"/api/v1/follow-ups/{scene['follow_up'].id}/later-logs", query_string=query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
