"""Sections other features add to the brief when they have something to say (coverage of planned
conversations, calibration of observers): the hook they slot into, so the brief needs no change.

A provider is a plain function `(context: SectionContext) -> Section | None`, registered once at import
time with `@provides(order)`. It returns None when its feature holds no data for the period, and the
brief then shows no empty heading. It must respect `context.staff`: the staff version shows only
school-wide figures, no person and nothing under `context.min_n`. The brief renders every section the
same way in the page, the PDF and the JSON: a few lines of text and an optional small table.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from server.auth.models import User
from server.schools.models import School


@dataclass(frozen=True)
class SectionContext:
    user: User
    school: School
    start: date
    end: date
    staff: bool      # the staff version: school-wide patterns only
    min_n: int


@dataclass
class Section:
    key: str                 # "coverage", "calibration"
    title: str
    lines: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


Provider = Callable[[SectionContext], "Section | None"]
PROVIDERS: list[tuple[int, Provider]] = []


def provides(order: int) -> Callable[[Provider], Provider]:
    """Register a provider; `order` places its section among the others (coverage 10, calibration 20)."""
    def register(provider: Provider) -> Provider:
        if all(existing is not provider for _o, existing in PROVIDERS):
            PROVIDERS.append((order, provider))
            PROVIDERS.sort(key=lambda item: item[0])
        return provider
    return register


def withdraw(provider: Provider) -> None:
    """Take a provider out again (tests, or a feature switched off)."""
    PROVIDERS[:] = [(order, existing) for order, existing in PROVIDERS if existing is not provider]


def collect(context: SectionContext) -> list[Section]:
    """The sections that have data for this brief, in order."""
    found = []
    for _order, provider in PROVIDERS:
        section = provider(context)
        if section is not None and (section.lines or section.rows):
            found.append(section)
    return found
