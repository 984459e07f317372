"""A re-listen follow-up's push reminder, on its due date, asks its owner to listen again where it started."""
from __future__ import annotations

from sqlalchemy import select

from server.db import db as database
from server.schools.models import Location
from tests import factories
from tests.followups.helpers import create_follow_up, create_observation
from tests.push.conftest import add_device, dispatcher, receiver, server_key  # noqa: F401  (fixtures)


def test_a_due_re_listen_names_the_place_the_conversation_was_heard(dispatcher, receiver, school):  # noqa: F811
    owner = factories.create_user("observer", school)
    source = create_observation(school, owner)
    place = database.session.scalar(select(Location.name).where(Location.id == source.location_id))
    add_device(owner, receiver.subscription("phone"))
    follow_up = create_follow_up(school, owner, observation_id=source.id, relisten=True, action="Hear the data team again")

    dispatcher.run_pass()

    (delivery,) = receiver.deliveries
    assert delivery.payload["title"] == "Time to listen again"
    assert delivery.payload["body"] == f"Listen again at {place}: Hear the data team again"
    assert delivery.payload["url"] == f"/follow-ups?id={follow_up.id}"


def test_without_a_re_listen_the_reminder_is_the_plain_one(dispatcher, receiver, school):  # noqa: F811
    owner = factories.create_user("observer", school)
    source = create_observation(school, owner)
    add_device(owner, receiver.subscription("phone"))
    follow_up = create_follow_up(school, owner, observation_id=source.id)

    dispatcher.run_pass()

    (delivery,) = receiver.deliveries
    assert delivery.payload["title"] == "Follow-up due" and delivery.payload["body"] == follow_up.action
