"""Small builders the school tests share."""
import uuid
from datetime import date, datetime, timezone

from server.observations.models import Observation
from tests import factories


def log_conversation_at(db, location):
    """A conversation logged at the place, so the place is part of the school's history."""
    db.session.add(Observation(
        id=uuid.uuid4(), school_id=location.school_id, rubric_id=factories.default_rubric().id,
        location_id=location.id, observed_at=datetime(2026, 3, 2, 14, 5, tzinfo=timezone.utc),
        local_date=date(2026, 3, 2),
    ))
    db.session.commit()
