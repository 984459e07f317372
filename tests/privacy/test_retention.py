"""`hallpulse purge`: notes older than a school's retention period are erased; the observations stay."""
from __future__ import annotations

from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.observations.models import Observation, ObservationTraitLevel
from tests import factories
from tests.privacy.helpers import add_observation


def set_retention(db, school, days):
    school.note_retention_days = days
    db.session.commit()


def purge(app):
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_notes_older_than_the_retention_period_are_erased(db, app, school):
    observer = factories.create_user("observer", school)
    old = add_observation(school, observer, note="Old note", days_ago=40)
    recent = add_observation(school, observer, note="Recent note", days_ago=5)
    set_retention(db, school, 30)
    purge(app)
    db.session.expire_all()
    assert db.session.get(Observation, old.id).note is None
    assert db.session.get(Observation, recent.id).note == "Recent note"


def test_purged_observations_keep_their_trait_levels_and_get_a_new_version(db, app, school):
    observer = factories.create_user("observer", school)
    old = add_observation(school, observer, note="Old note", days_ago=40)
    levels = db.session.scalar(select(func.count()).select_from(ObservationTraitLevel).where(ObservationTraitLevel.observation_id == old.id))
    set_retention(db, school, 30)
    purge(app)
    db.session.expire_all()
    kept = db.session.get(Observation, old.id)
    assert kept.version == 2 and kept.team == "Grade 7" and len(kept.trait_levels) == levels > 0


def test_soft_deleted_observations_lose_their_notes_too(db, app, school):
    observer = factories.create_user("observer", school)
    old = add_observation(school, observer, note="Deleted but kept", days_ago=40, deleted=True)
    set_retention(db, school, 30)
    purge(app)
    db.session.expire_all()
    assert db.session.get(Observation, old.id).note is None


def test_schools_without_a_retention_period_keep_every_note(db, app, school, other_school):
    observer = factories.create_user("observer", other_school)
    old = add_observation(other_school, observer, note="Keep me", days_ago=400)
    set_retention(db, school, 1)
    purge(app)
    db.session.expire_all()
    assert db.session.get(Observation, old.id).note == "Keep me"


def test_a_purge_is_audited_with_its_count(db, app, school):
    observer = factories.create_user("observer", school)
    for days_ago in (40, 50, 2):
        add_observation(school, observer, note="A note", days_ago=days_ago)
    set_retention(db, school, 30)
    output = purge(app)
    assert f"School {school.id}: 2 note(s) erased." in output
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged"))
    assert (event.school_id, event.details) == (school.id, {"notes_erased": 2, "older_than_days": 30})


def test_no_note_older_than_the_policy_is_left(db, app, school):
    observer = factories.create_user("observer", school)
    for days_ago in (8, 9, 30, 31, 365):
        add_observation(school, observer, note="A note", days_ago=days_ago, deleted=days_ago == 365)
    set_retention(db, school, 7)
    purge(app)
    left = db.session.scalar(select(func.count()).select_from(Observation).where(
        Observation.school_id == school.id, Observation.note.is_not(None)))
    assert left == 0
