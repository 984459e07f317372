"""Heard again: for follow-ups closed with a later conversation as evidence, each trait before and after.

"Before" is the conversation the follow-up came from, "after" the later one its owner linked (same
school, heard later, not deleted). Per trait it counts the pairs, how many heard it (level 1 or 2)
before and after, and in how many it was stronger or weaker after. These are counts, not a verdict:
a handful of pairs is marked too few under the school's minimum n.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db import db
from server.observations.models import ObservationTraitLevel
from server.results.queries import FollowUpRow


@dataclass
class TraitPairs:
    """One trait over `n` before/after pairs."""

    trait_id: int
    label: str
    n: int = 0
    heard_before: int = 0
    heard_after: int = 0
    stronger: int = 0
    weaker: int = 0
    few: bool = True

    @property
    def same(self) -> int:
        return self.n - self.stronger - self.weaker


@dataclass
class HeardAgain:
    pairs: int
    traits: list[TraitPairs]


def heard_again(rows: list[FollowUpRow], traits, min_n: int) -> HeardAgain:
    """Each trait of the view, over the follow-ups whose source and later conversation both carry a level for it."""
    paired = [(row.source_id, row.evidence_id) for row in rows if row.source_id and row.evidence_id]
    ids = sorted({i for pair in paired for i in pair})
    levels: dict = {}
    for start in range(0, len(ids), 500):
        levels.update({(o, t): level for o, t, level in db.session.execute(
            select(ObservationTraitLevel.observation_id, ObservationTraitLevel.trait_id, ObservationTraitLevel.level)
            .where(ObservationTraitLevel.observation_id.in_(ids[start:start + 500])))})
    found = []
    for trait in traits:
        counted = TraitPairs(trait.id, trait.label)
        for before_id, after_id in paired:
            before, after = levels.get((before_id, trait.id)), levels.get((after_id, trait.id))
            if before is None or after is None:
                continue
            counted.n += 1
            counted.heard_before += before >= 1
            counted.heard_after += after >= 1
            counted.stronger += after > before
            counted.weaker += after < before
        counted.few = counted.n < min_n
        found.append(counted)
    return HeardAgain(len(paired), found)


def as_json(found: HeardAgain) -> dict:
    return {"pairs": found.pairs, "traits": [
        {"trait_id": t.trait_id, "label": t.label, "n": t.n, "heard_before": t.heard_before, "heard_after": t.heard_after,
         "stronger": t.stronger, "same": t.same, "weaker": t.weaker, "few": t.few} for t in found.traits]}
