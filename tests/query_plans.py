"""The statements a piece of code sends, and the plans the engine makes for them: for tests that check
which index a read or a write goes through, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements_run(db, keep: Callable[[str, bool], bool]):
    """The statements run inside the block, with their parameters, that `keep(statement, executemany)` accepts."""
    statements: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, _context, executemany):
        if keep(statement, executemany):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def query_plan(db, statement: str, parameters, analyzed: str | None = None, run: bool = False) -> list:
    """The plan of `statement` with its own parameters: SQLite's EXPLAIN QUERY PLAN lines, or
    PostgreSQL's plan nodes (every level, as dicts, the top one first) with sequential scans priced out.
    PostgreSQL: the table `analyzed` is analyzed first, in the plan's transaction and rolled back with it,
    so other tests keep planning on their own statistics; `run` runs the statement too (EXPLAIN ANALYZE,
    BUFFERS: each node says the pages it touched)."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            return [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        if analyzed:
            connection.exec_driver_sql(f"ANALYZE {analyzed}")
        connection.exec_driver_sql("SET enable_seqscan = off")
        options = "ANALYZE, BUFFERS, FORMAT JSON" if run else "FORMAT JSON"
        [[document]] = connection.exec_driver_sql(f"EXPLAIN ({options}) " + statement, parameters).all()
        connection.rollback()
    nodes, unread = [], [(json.loads(document) if isinstance(document, str) else document)[0]["Plan"]]
    while unread:
        node = unread.pop()
        nodes.append(node)
        unread += node.get("Plans", [])
    return nodes
