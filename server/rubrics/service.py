"""Which rubrics a school may log against: the built-in ones and its district's own."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.db import db
from server.rubrics.models import Rubric
from server.schools.models import School


def rubrics_for(school: School) -> list[Rubric]:
    """Built-in rubrics plus the district's, the default first, then built-in before the district's, by name."""
    return list(db.session.scalars(
        select(Rubric)
        .where((Rubric.district_id.is_(None)) | (Rubric.district_id == school.district_id))
        .options(selectinload(Rubric.traits))
        .order_by(Rubric.is_default.desc(), Rubric.district_id.is_not(None), Rubric.name, Rubric.id)
    ))
