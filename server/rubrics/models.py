"""Rubrics: named sets of traits an observer listens for. Built-in ones belong to no district."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import db


class Rubric(db.Model):
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(default=False)

    traits: Mapped[list[Trait]] = relationship(
        back_populates="rubric", order_by="Trait.position", cascade="all, delete-orphan"
    )


class Trait(db.Model):
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    rubric: Mapped[Rubric] = relationship(back_populates="traits")
