"""Hand-built heatmap data: walks and conversations at local times in the school's own zone.

Every view is checked against both sources: `raw` (no rollup built: the raw queries answer) and
`rollup` (rebuilt from scratch, so the pre-aggregated tables answer).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.calibration.models import CalibrationConversation, CalibrationMonth
from server.heatmaps import rollup
from server.heatmaps.models import (HeatmapConversation, HeatmapPlaceDay, HeatmapSchoolDay, HeatmapTraitDay,
                                    HeatmapTraitWeek, HeatmapWalkTime)
from server.observations.models import Observation, ObservationTraitLevel
from server.rubrics.models import Trait
from server.schools.models import Location
from server.walks.models import Walk
from tests import factories


def local(school, text: str) -> datetime:
    """'2026-11-10 08:30' in the school's zone, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(school.timezone))


def place(db, school, name: str) -> Location:
    return db.session.scalar(select(Location).where(Location.school_id == school.id, Location.name == name))


def add_walk(db, school, start: str, end: str | None, observer=None) -> Walk:
    walk = Walk(id=uuid.uuid4(), school_id=school.id, observer_id=observer.id if observer else None,
                started_at=local(school, start), ended_at=local(school, end) if end else None)
    db.session.add(walk)
    db.session.flush()
    return walk


def add_observation(db, school, at: str, place_name: str, walk: Walk | None = None, levels: dict | None = None,
                    setting: str | None = "informal", kind: str | None = "hallway_chat", team: str | None = None,
                    deleted: bool = False, observer=None, note: str | None = None, rubric=None) -> Observation:
    rubric = rubric or factories.default_rubric()
    traits = {t.key: t.id for t in db.session.scalars(select(Trait).where(Trait.rubric_id == rubric.id))}
    moment = local(school, at)
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id if observer else None,
        walk_id=walk.id if walk else None, rubric_id=rubric.id, location_id=place(db, school, place_name).id,
        observed_at=moment, utc_offset_minutes=int(moment.utcoffset().total_seconds() // 60),
        local_date=moment.date(), setting=setting, conversation_kind=kind, team=team, note=note,
        deleted_at=datetime.now(ZoneInfo("UTC")) if deleted else None,
    )
    if not deleted:
        observation.trait_levels = [ObservationTraitLevel(trait_id=trait_id, level=(levels or {}).get(key, 0))
                                    for key, trait_id in traits.items()]
    db.session.add(observation)
    db.session.flush()
    return observation


@pytest.fixture(params=["raw", "rollup"])
def source(request):
    return request.param


@pytest.fixture()
def settle(db, source):
    """Commit the hand-built rows; for the rollup source, rebuild the pre-aggregated tables from them."""

    def done():
        if source == "rollup":
            rollup.rebuild()
        db.session.commit()

    return done


def table_cell(body: dict, row_label: str, column_label: str) -> dict:
    column = next(i for i, c in enumerate(body["columns"]) if c["label"] == column_label)
    row = next(r for r in body["rows"] if r["label"] == row_label)
    return row["cells"][column]


def get_json(client, url: str, **params) -> dict:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def table_rows(db) -> dict:
    def rows(model, order):
        return [tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in db.session.execute(select(*model.__table__.c).order_by(*order))]

    return {
        "traits": rows(HeatmapTraitDay, HeatmapTraitDay.__table__.primary_key.columns),
        "weeks": rows(HeatmapTraitWeek, HeatmapTraitWeek.__table__.primary_key.columns),
        "places": rows(HeatmapPlaceDay, HeatmapPlaceDay.__table__.primary_key.columns),
        "days": rows(HeatmapSchoolDay, HeatmapSchoolDay.__table__.primary_key.columns),
        "conversations": rows(HeatmapConversation, HeatmapConversation.__table__.primary_key.columns),
        "walk_time": rows(HeatmapWalkTime, HeatmapWalkTime.__table__.primary_key.columns),
        "calibration": rows(CalibrationConversation, CalibrationConversation.__table__.primary_key.columns),
        "calibration months": rows(CalibrationMonth, CalibrationMonth.__table__.primary_key.columns),
    }
