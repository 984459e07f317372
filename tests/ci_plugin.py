"""In CI (CI=true) a test skipped for want of PostgreSQL, Redis or Chromium fails instead.

Outside CI those skips keep the suite usable on a laptop; in CI they would hide a whole engine or
the browser suite behind a green run. Registered from tests/conftest.py (`pytest_plugins`).
"""
from __future__ import annotations

import os
import re

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REQUIRED_IN_CI = re.compile(r"postgres|chromium|playwright|redis", re.IGNORECASE)


def skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


def fail_required_skip(report) -> None:
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = skip_reason(report)
    if REQUIRED_IN_CI.search(reason):
        report.outcome = "failed"
        report.longrepr = f"required in CI, but skipped: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    fail_required_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    fail_required_skip(outcome.get_result())


def pytest_report_header(config):
    if IN_CI:
        return "CI=true: skips for PostgreSQL, Redis or Chromium count as failures"
    return None
