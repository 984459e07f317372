"""Co-listened conversations in the demo: a colleague logs some of a walker's conversations too.

About one formal meeting in seven and one informal conversation in twenty-five is co-listened by a second
walker of the same school. The second log copies the conversation and the trait levels, then moves
some levels by one (rarely two): on Evidence the colleague early in the semester often hears data
where the lead heard none ("data mentioned but not used"), and the two converge as the weeks pass,
so the calibration page shows agreement rising by month. Drawn from its own RNG, so adding this
left every other demo row as it was.
"""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

from schemas.sync import COLISTEN_ALPHABET
from server.demo.conversations import TRAIT_KEYS
from server.demo.semester import SemesterRows
from server.enums import Setting

SHARE = {Setting.FORMAL: 0.15, Setting.INFORMAL: 0.04}


def _moved(rng: random.Random, level: int, key: str, progress: float) -> int:
    """The colleague's level for a trait the lead logged at `level`, `progress` 0 → 1 through the semester."""
    if key == "evidence":
        apart = 0.55 * (1 - progress) + 0.06
        if rng.random() >= apart:
            return level
        if level == 0:
            return 2 if rng.random() < 0.15 * (1 - progress) else 1
        return min(2, level + 1) if rng.random() < 0.7 else level - 1
    if rng.random() >= 0.16 - 0.08 * progress:
        return level
    return level + 1 if level == 0 else level - 1 if level == 2 else rng.choice((0, 2))


def add_co_listens(seed: int, rows: SemesterRows, trait_ids: dict[str, int]) -> list[dict]:
    """Add co-listened second logs to `rows` (linking both logs) and return the sessions to insert first."""
    rng = random.Random(seed * 31 + 17)
    key_of = {trait_id: key for key, trait_id in trait_ids.items()}
    levels: dict[uuid.UUID, dict[str, int]] = {}
    for row in rows.trait_levels:
        levels.setdefault(row["observation_id"], {})[key_of[row["trait_id"]]] = row["level"]
    walkers: dict[int, set[int]] = {}
    for row in rows.observations:
        walkers.setdefault(row["school_id"], set()).add(row["observer_id"])
    days = [row["local_date"] for row in rows.observations]
    first, span = min(days), max((max(days) - min(days)).days, 1)
    sessions, added = [], []
    for row in rows.observations:
        if row["walk_id"] is None or rng.random() >= SHARE.get(row["setting"], 0.05):
            continue
        colleagues = sorted(walkers[row["school_id"]] - {row["observer_id"]})
        if not colleagues:
            continue
        session_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        code = "".join(rng.choice(COLISTEN_ALPHABET) for _ in range(6))
        started = row["observed_at"] - timedelta(minutes=1)
        sessions.append({"id": session_id, "school_id": row["school_id"], "code": code,
                         "lead_observer_id": row["observer_id"], "started_at": started,
                         "expires_at": started + timedelta(hours=2), "version": 1, "created_at": started,
                         "updated_at": started})
        row.update(colisten_code=code, colisten_id=session_id, counted=True)
        progress = (row["local_date"] - first).days / span
        second_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        second_at = row["observed_at"] + timedelta(seconds=rng.randint(20, 240))
        added.append({**row, "id": second_id, "observer_id": rng.choice(colleagues), "walk_id": None,
                      "observed_at": second_at, "created_at": second_at, "updated_at": second_at, "note": None,
                      "needs_follow_up": False, "counted": False})
        rows.trait_levels.extend(
            {"observation_id": second_id, "trait_id": trait_ids[key],
             "level": _moved(rng, levels[row["id"]].get(key, 0), key, progress)}
            for key in TRAIT_KEYS if key in levels[row["id"]])
    for row in rows.observations:
        row.setdefault("colisten_code", None)
        row.setdefault("colisten_id", None)
        row.setdefault("counted", True)
    rows.observations.extend(added)
    return sessions
