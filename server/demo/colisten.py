"""Demo co-listens: now and then two of a school's walkers heard the same conversation, each logged it on
their own phone, and the server linked the logs (the lead's counted, the colleague's not).

About 4 % of logs gain a colleague's log of the same conversation, a minute later, on a walk of the
colleague's own alongside the lead's; the colleague
hears most traits the same way, Evidence and Non-defensive less often (the traits teams split on).
"""
from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import timedelta

from schemas.sync import COLISTEN_ALPHABET
from server.demo.semester import SemesterRows

SHARE = 0.04
AGREE = {"default": 0.8, "evidence": 0.55, "non_defensive": 0.6}


def add_colistens(rng: random.Random, rows: SemesterRows, trait_keys: dict[int, str]) -> list[dict]:
    """Pair some logs with a colleague's; returns the session rows (insert them before the observations)."""
    observers = defaultdict(set)
    for row in rows.observations:
        observers[row["school_id"]].add(row["observer_id"])
        row.update(colisten_code=None, colisten_id=None, counted=True)
    levels = defaultdict(list)
    for level in rows.trait_levels:
        levels[level["observation_id"]].append(level)
    walks = {walk["id"]: walk for walk in rows.walks}
    sessions, partners, partner_levels, partner_walks = [], [], [], []
    for row in list(rows.observations):
        colleagues = sorted(observers[row["school_id"]] - {row["observer_id"]})
        if not colleagues or rng.random() >= SHARE:
            continue
        code = "".join(rng.choice(COLISTEN_ALPHABET) for _ in range(6))
        session_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        started = row["observed_at"] - timedelta(minutes=2)
        sessions.append({"id": session_id, "school_id": row["school_id"], "code": code,
                         "lead_observer_id": row["observer_id"], "started_at": started,
                         "expires_at": started + timedelta(hours=2), "version": 1,
                         "created_at": started, "updated_at": started})
        row.update(colisten_code=code, colisten_id=session_id, counted=True)
        partner_id, walk_id = (uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(2))
        lead_walk = walks[row["walk_id"]]
        observed_at = min(row["observed_at"] + timedelta(minutes=1), lead_walk["ended_at"])
        colleague = rng.choice(colleagues)
        partner_walks.append({**lead_walk, "id": walk_id, "observer_id": colleague})
        partners.append({**row, "id": partner_id, "observer_id": colleague, "walk_id": walk_id,
                         "observed_at": observed_at, "note": None, "needs_follow_up": False,
                         "created_at": observed_at, "updated_at": observed_at, "counted": False})
        for level in levels[row["id"]]:
            agree = AGREE.get(trait_keys[level["trait_id"]], AGREE["default"])
            heard = level["level"] if rng.random() < agree else max(0, min(2, level["level"] + rng.choice((-1, 1))))
            partner_levels.append({"observation_id": partner_id, "trait_id": level["trait_id"], "level": heard})
    rows.walks += partner_walks
    rows.observations += partners
    rows.trait_levels += partner_levels
    return sessions

