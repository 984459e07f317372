"""Canonical content hashes: equal versions with equal hashes are a re-send, unequal ones a conflict.

The hash covers what the client may set, normalised (UTC instant plus the device's offset, trait
levels by key with left-out traits as 0, roles as a set), so a re-send hashes the same however
the JSON was spelt.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone


def _instant(moment: datetime | None) -> str | None:
    """UTC to the microsecond, as `%Y-%m-%dT%H:%M:%S.%fZ` spells it (records are from 2000 on, so the
    year has four digits either way), by `isoformat`, which is quicker than `strftime`."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _offset_minutes(moment: datetime) -> int:
    return int(moment.utcoffset().total_seconds() // 60)


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # json.dumps builds one a call


def _digest(content: list) -> str:
    text = _ENCODER.encode(content)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def observation_hash(record: dict, trait_keys: list[str]) -> str:
    """Hash of a loaded observation record; `trait_keys` are all the traits of its rubric.

    The fields are hashed as a list in a fixed order (and trait keys sorted): the order is part of
    the format, so never reorder it without re-hashing stored rows.
    """
    levels = record["trait_levels"]
    observed_at = record["observed_at"]
    content = [
        "observation/1",
        str(record["walk_id"]) if record["walk_id"] else None,
        record["rubric_id"],
        record["location_id"],
        _instant(observed_at),
        _offset_minutes(observed_at),
        record["setting"],
        record["conversation_kind"],
        record["participant_count"],
        sorted(record["participant_roles"]),
        record["team"],
        record["note"],
        record["needs_follow_up"],
        [[key, levels.get(key, 0)] for key in sorted(trait_keys)],
    ]
    if record.get("plan_id") is not None:  # appended only when linked: every hash stored before links still holds
        content.append(["plan", record["plan_id"], record["plan_day"].isoformat()])
    if record.get("colisten_code"):  # appended only when given: logs without one keep their stored hashes
        content.append(["colisten", record["colisten_code"]])
    return _digest(content)


def colisten_hash(code: str, started_at: datetime, expires_at: datetime) -> str:
    """A co-listen session's content: its code and window (instants; the offset is not kept)."""
    return _digest(["colisten/1", code, _instant(started_at), _instant(expires_at)])


def walk_hash(started_at: datetime, ended_at: datetime | None) -> str:
    """Walks hold two instants; their hash is computed from the row when needed, not stored."""
    return _digest(["walk/1", _instant(started_at), _instant(ended_at)])


STORED, UNCHANGED, CONFLICT, INVALID = "stored", "unchanged", "conflict", "invalid"


@dataclass
class Entry:
    """The server's state of one synced record while a batch is applied: as loaded, then as planned.

    `row` holds the columns to write once a record of the batch changed it; `trait_levels` (trait id
    → level) goes with an observation's row.
    """

    school_id: int
    observer_id: int | None
    version: int
    content_hash: str
    deleted: bool = False
    row: dict | None = None
    trait_levels: dict[int, int] | None = field(default=None, repr=False)

    def belongs_to(self, school_id: int, observer_id: int) -> bool:
        return self.school_id == school_id and self.observer_id == observer_id


def decide(current: Entry | None, version: int, content_hash: str) -> str:
    """Upsert by version: newer wins, an equal re-send is unchanged, anything else is a conflict.

    A tombstone is final: editing a deleted record is a conflict, so the client learns of the deletion.
    """
    if current is None:
        return STORED
    if current.deleted:
        return CONFLICT
    if version > current.version:
        return STORED
    if version == current.version and content_hash == current.content_hash:
        return UNCHANGED
    return CONFLICT


def decide_deletion(current: Entry | None, version: int) -> str:
    """Deleting what the server never had, or already deleted, changes nothing."""
    if current is None or current.deleted:
        return UNCHANGED
    return STORED if version > current.version else CONFLICT
