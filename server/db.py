"""Declarative base, portable column types and mixins shared by every feature."""
from __future__ import annotations

import functools
import gc
import operator
import os
import sqlite3
import uuid
import weakref
from collections.abc import Callable
from datetime import date, datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Date, DateTime, ForeignKey, Integer, MetaData, Table, TypeDecorator, Uuid, event, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from server import wal

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), uuid.UUID: Uuid()},
    )


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def write_from_here() -> None:
    """SQLite: make this transaction the database's one writer now (BEGIN IMMEDIATE), waiting up to
    the busy timeout, so nothing it reads from here on can change before it commits. A no-op on
    PostgreSQL, or when the transaction has written already (it is then the writer)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


SUMMING_WORK_MEM = "32MB"


def room_to_sum() -> None:
    """PostgreSQL: this transaction's sorts and hash tables may use SUMMING_WORK_MEM, not the server's
    default 4 MB. A filtered view sums tens of thousands of the digest's wide rows (~100 bytes each): at
    4 MB a leader's 35k rows are sorted on disk, and the planner will not hash the few hundred groups
    it guesses at ten thousand, so a busy observer's 233k rows were sorted on disk (docs/performance.md).
    Sent once a transaction: SET LOCAL ends with it, so a pooled connection keeps the server's setting."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    transaction = connection.get_transaction()
    if connection.info.get("room_to_sum") is not transaction:
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{SUMMING_WORK_MEM}'")
        connection.info["room_to_sum"] = transaction


def built_on(dialect_name: str):
    """Alembic's `include_object` for one engine: an index the models build only on another engine
    (`Index.info["only_on"]`, beside its `ddl_if`) is not compared, since Alembic ignores `ddl_if`."""
    def include(obj, _name, type_, _reflected, _compare_to) -> bool:
        return type_ != "index" or obj.info.get("only_on", dialect_name) == dialect_name
    return include


def insert_rows(table: Table, rows: list[dict]) -> None:
    """INSERT many rows of plain columns (ids, numbers, text, dates) in the current transaction.

    SQLite: the driver's executemany of one cached statement, values converted as SQLAlchemy stores
    them (a UUID as its 32 hex digits, a date as ISO text): SQLAlchemy's per-row parameter processing
    (`construct_params` and bind processors, ~1,450 trait levels, digest and walk-time rows a sync
    batch) was the largest Python cost of a batch's inserts. Elsewhere a plain executemany.
    """
    if not rows:
        return
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(insert(table), rows)
        return
    statement, values_of = sqlite_insert(table, tuple(rows[0]))
    db.session.connection().exec_driver_sql(statement, [values_of(row) for row in rows])


@functools.lru_cache(maxsize=32)
def sqlite_insert(table: Table, names: tuple[str, ...]):
    """The INSERT text for these columns and a function from a row (a mapping) to the driver's tuple."""
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    return statement, sqlite_values(table, names)


@functools.lru_cache(maxsize=32)
def sqlite_conversions(table: Table, names: tuple[str, ...]) -> tuple[tuple[int, Callable], ...]:
    """(position, conversion) of the columns among `names` that SQLite stores other than as given, as
    SQLAlchemy binds them, for the types a bulk row holds: UUIDs as their hex digits, dates as ISO text."""
    conversions = []
    for index, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, Uuid):
            conversions.append((index, operator.attrgetter("hex")))
        elif isinstance(kind, Date):
            conversions.append((index, date.isoformat))
        elif kind.python_type not in (int, str, float, bool):  # datetimes, JSON: SQLAlchemy's own binding
            raise TypeError(f"{table.name}.{name}: no plain SQLite binding for {kind!r}")
    return tuple(conversions)


def sqlite_tuples(table: Table, names: tuple[str, ...], rows: list[tuple]) -> list[tuple]:
    """Rows already in `names`' order, bound as `sqlite_values` binds them; each distinct value of a
    converted column is converted once (a sync's ~1,300 rollup keys fall on a few days)."""
    conversions = sqlite_conversions(table, names)
    if not conversions or not rows:
        return rows
    columns = list(zip(*rows))
    for index, convert in conversions:
        spelt = {value: None if value is None else convert(value) for value in set(columns[index])}
        columns[index] = [spelt[value] for value in columns[index]]
    return list(zip(*columns))


def sqlite_values(table: Table, names: tuple[str, ...]):
    """row → `names`' values as a tuple, bound as SQLAlchemy binds them on SQLite (`sqlite_conversions`).
    Only the UUID and date columns are touched: a digest row has 23 columns and two of them to convert."""
    conversions = sqlite_conversions(table, names)
    get = operator.itemgetter(*names)
    single = len(names) == 1  # itemgetter of one name gives the value, not a tuple

    def values_of(row) -> tuple:
        values = [get(row)] if single else list(get(row))
        for index, convert in conversions:
            if values[index] is not None:
                values[index] = convert(values[index])
        return tuple(values)

    return values_of


@functools.lru_cache(maxsize=32)
def unnest_select(table: Table, names: tuple[str, ...]) -> str:
    """PostgreSQL: `SELECT * FROM unnest(…)` of one array per column (for `execute_arrays`), so many
    rows are one statement: an executemany is a round of the server per row.

    The arrays go in binary (`%(name)b`): psycopg dumps a text array in Python, element by element with
    a regular expression for quoting, 13.5 ms for 2,700 rollup keys of 9 columns against 6.3 ms in
    binary (docs/performance.md, issue 15)."""
    dialect = postgresql.dialect()
    arrays = ", ".join(f"CAST(%({name})b AS {table.c[name].type.compile(dialect=dialect)}[])" for name in names)
    return f"SELECT * FROM unnest({arrays})"


def upsert_tuples(table: Table, names: tuple[str, ...], rows: list[tuple], on_conflict: str) -> None:
    """INSERT rows given as tuples in `names`' order, with an `ON CONFLICT …` clause, in one round of
    the engine: SQLite an executemany of the one prepared statement (`sqlite_insert`, `sqlite_tuples`),
    PostgreSQL one statement over arrays (`unnest_select`)."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"{sqlite_insert(table, names)[0]} {on_conflict}", sqlite_tuples(table, names, rows))
        return
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) {unnest_select(table, names)} {on_conflict}"
    execute_arrays(statement, table, names, rows)


def execute_arrays(statement: str, table: Table, names: tuple[str, ...], rows: list[tuple]) -> None:
    """Run a statement over `unnest_select(table, names)` with these rows (tuples in `names`' order)."""
    columns = [list(values) for values in zip(*rows)]
    for index, name in enumerate(names):  # a binary array has one element type: 0 among seconds is 0.0
        if table.c[name].type.python_type is float:
            columns[index] = [None if value is None else float(value) for value in columns[index]]
    db.session.connection().exec_driver_sql(statement, dict(zip(names, columns)))


class TimestampedMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SchoolScopedMixin:
    """Rows that belong to exactly one school; access.scoped() filters on this column."""

    school_id: Mapped[int] = mapped_column(Integer, ForeignKey("school.id", ondelete="CASCADE"), index=True)


# SQLite's answers once its file can no longer be written or opened (a read-only or full disk, an I/O
# error): the connection is spent, as if a database server had gone away.
SQLITE_FILE_ERRORS = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN}
_spent_engines: weakref.WeakSet = weakref.WeakSet()


@event.listens_for(Engine, "handle_error")
def _sqlite_file_errors_reconnect(context) -> None:
    error = context.original_exception
    if isinstance(error, sqlite3.Error) and (getattr(error, "sqlite_errorcode", 0) & 0xFF) in SQLITE_FILE_ERRORS:
        context.is_disconnect = True
        if context.engine is not None:
            _spent_engines.add(context.engine)


def close_spent_connections(_error=None) -> None:
    """At the end of a request that met a SQLite file error, close every connection of the process.

    Its SQLite connections share one mapping of the WAL index: while any connection that opened it
    read-only stays open, new ones cannot write either, even once the disk is fixed. So the session
    lets go, the failed statements are collected (a connection with live statements stays open),
    and the pool closes all it holds.
    """
    if not _spent_engines:
        return
    db.session.remove()
    gc.collect()
    for engine in list(_spent_engines):
        _spent_engines.discard(engine)
        engine.dispose()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, foreign keys, a busy timeout and a larger page cache on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-16000")  # 16 MB, allocated as used: the rollup upkeep re-reads its pages
    cursor.execute(f"PRAGMA wal_autocheckpoint={wal.BACKSTOP_PAGES}")  # copied after the commit instead (server/wal.py)
    cursor.close()


class SQLiteHintCompiler(SQLiteCompiler):
    """Renders `Select.with_hint(table, "INDEXED BY …", "sqlite")` after the table's name, where SQLite reads
    it. SQLAlchemy renders table hints only for dialects that say where they go, and its SQLite compiler
    does not: without this the digest's chosen indexes (server/heatmaps/digest.py `index_for`) were
    silently dropped and SQLite's planner chose instead."""

    def get_from_hint_text(self, table, text):
        return text


@event.listens_for(Engine, "engine_connect")
def _sqlite_hints(connection) -> None:
    if connection.dialect.name == "sqlite" and connection.dialect.statement_compiler is not SQLiteHintCompiler:
        connection.dialect.statement_compiler = SQLiteHintCompiler


@event.listens_for(Engine, "commit")
def _copy_the_log_after(connection) -> None:
    """SQLite file databases: the background checkpointer copies what this commit writes (server/wal.py)."""
    url = connection.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and not url.query.get("uri"):
        wal.CHECKPOINTER.committed(os.path.abspath(url.database))
