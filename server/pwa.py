"""Serves the offline app in pwa/: the shell, and sw.js with the shell's content version injected.

The service worker's precache is the real cache of the shell, so static files are only revalidated
(`no-cache` + ETag); a new shell hash renames the SW cache, which is what busts it.

Two tiers: the precached shell (what capture, the outbox and sync, My log and the Follow-ups list need offline
from a cold start, held to the 60 KB gzip budget of docs/performance.md) and ON_DEMAND assets, which the service worker caches
the first time they are fetched (see ON_DEMAND).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

from server.config import PROJECT_ROOT

PWA_DIR = PROJECT_ROOT / "pwa"
SHELL_FOLDERS = ("css", "js", "icons")
CLIENT_ROUTES = ("/", "/log", "/walk", "/follow-ups", "/practice", "/colisten")
VERSION_PLACEHOLDER = "__SHELL_VERSION__"
FILES_PLACEHOLDER = '["__SHELL_FILES__"]'
ON_DEMAND_PLACEHOLDER = '["__ON_DEMAND_FILES__"]'
# Fetched on demand, not precached: every install would otherwise download them before first use.
# - The 512-px install icons: the browser asks for them only when the app is installed, which is online;
#   icon-192 stays precached because notifications (sw.js) use it offline.
# - The Practice screen's modules: app.js imports them with import() when Practice is first opened (and
#   warms them while idle and online), so once opened online Practice works offline until the next update.
# - The planned-conversation modules (issue 16): capture imports them when the school has plans, My log
#   when there are checks; the same warm-up caches them for a walk without signal.
# - Closing a follow-up and the reminders panel (Follow-ups): imported when first needed, warmed the same way;
#   allowing reminders needs a connection anyway.
# The shell version still hashes them, so an update renames the cache and drops stale copies.
ON_DEMAND = frozenset({
    "/icons/icon-512.png", "/icons/maskable-512.png",
    "/js/practice.js", "/js/screens/practice.js", "/js/ui/practice-history.js", "/js/ui/practice-reveal.js",
    "/js/plan-capture.js", "/js/plans.js", "/js/plan-checks.js", "/js/ui/walk-next.js", "/js/ui/plan-link.js",
    "/js/ui/check-entries.js", "/css/plans.css",
    # Closing a follow-up (issue 18): the outcome form and the later-log picker, imported on the first Complete.
    "/js/ui/outcome-form.js", "/js/later-logs.js",
    # The reminders panel (issue 13): app.js imports it when Follow-ups first renders.
    "/js/ui/push-panel.js", "/js/push.js",
    # Co-listening (issue 17): the Listen together screen, its comparison card and the vendored QR encoder.
    "/js/colisten.js", "/js/screens/colisten.js", "/js/ui/colisten-compare.js", "/js/ui/qr.js", "/js/vendor/qrcode.js",
})
SW_CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"

bp = Blueprint("pwa", __name__)


def _assets(root: Path) -> list[str]:
    return sorted(
        "/" + path.relative_to(root).as_posix()
        for folder in SHELL_FOLDERS
        for path in (root / folder).rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def shell_files(root: Path = PWA_DIR) -> list[str]:
    """URL paths the service worker precaches: the page, the manifest and every shell asset not ON_DEMAND."""
    return ["/", "/manifest.webmanifest", *(url for url in _assets(root) if url not in ON_DEMAND)]


def on_demand_files(root: Path = PWA_DIR) -> list[str]:
    """The ON_DEMAND assets that exist: cached by the service worker on first fetch."""
    return [url for url in _assets(root) if url in ON_DEMAND]


def shell_version(root: Path = PWA_DIR) -> str:
    """A hash of every shell file's path and bytes (sw.js and on-demand files included): any change renames the cache."""
    digest = hashlib.sha256()
    files = [root / "index.html", root / "manifest.webmanifest", root / "sw.js"]
    files += [root / url.lstrip("/") for url in _assets(root)]
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@bp.record_once
def compute_shell_version(state) -> None:
    """Hash once at startup; a deploy restarts the app, so the version follows the files."""
    state.app.extensions["pwa_shell"] = {"version": shell_version(), "files": shell_files(),
                                       "on_demand": on_demand_files()}


def _revalidated(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache"
    return response


def index() -> Response:
    """The app shell for every client route; public, so it loads offline and signed out (JS checks /me)."""
    return _revalidated(send_from_directory(PWA_DIR, "index.html", mimetype="text/html"))


for _route in CLIENT_ROUTES:
    bp.add_url_rule(_route, f"index{_route.replace('/', '_')}", index, methods=["GET"])


@bp.get("/sw.js")
def service_worker() -> Response:
    shell = current_app.extensions["pwa_shell"]
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    source = source.replace(VERSION_PLACEHOLDER, shell["version"]).replace(FILES_PLACEHOLDER, json.dumps(shell["files"]))
    source = source.replace(ON_DEMAND_PLACEHOLDER, json.dumps(shell["on_demand"]))
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Content-Security-Policy"] = SW_CSP
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    return _revalidated(send_from_directory(PWA_DIR, "manifest.webmanifest", mimetype="application/manifest+json"))


@bp.get("/<any(css, js, icons):folder>/<path:filename>")
def asset(folder: str, filename: str) -> Response:
    """Shell assets; send_from_directory refuses paths that leave the folder (404)."""
    return _revalidated(send_from_directory(PWA_DIR / folder, filename))
