"""How server/pwa.py serves the shell: public, versioned service worker, manifest, icons (no browser needed)."""
from __future__ import annotations

import gzip
import json
import posixpath
import re
import shutil
import struct

import pytest

from server import pwa


def test_app_shell_is_served_without_sign_in(client):
    for path in ("/", "/log", "/walk", "/follow-ups", "/practice"):
        response = client.get(path)
        assert (response.status_code, response.mimetype) == (200, "text/html")
        assert b'<script type="module" src="/js/app.js">' in response.data


def test_service_worker_is_revalidated_allowed_at_root_and_carries_the_shell_version(app, client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.mimetype == "text/javascript"
    assert "connect-src 'self'" in response.headers["Content-Security-Policy"]
    assert f'var VERSION = "{app.extensions["pwa_shell"]["version"]}";' in body
    assert "__SHELL" not in body
    assert '"/js/app.js"' in body and '"/css/app.css"' in body and '"/icons/icon-192.png"' in body
    assert f'var ON_DEMAND = {json.dumps(app.extensions["pwa_shell"]["on_demand"])};' in body


def test_install_icons_and_feature_modules_are_on_demand_not_precached(app):
    shell = app.extensions["pwa_shell"]
    on_demand = {"/icons/icon-512.png", "/icons/maskable-512.png", "/js/practice.js", "/js/screens/practice.js",
                 "/js/ui/practice-history.js", "/js/ui/practice-reveal.js",
                 "/js/plan-capture.js", "/js/plans.js", "/js/plan-checks.js", "/js/ui/walk-next.js", "/js/ui/plan-link.js",
                 "/js/ui/check-entries.js", "/css/plans.css",
                 "/js/colisten.js", "/js/screens/colisten.js", "/js/ui/colisten-compare.js", "/js/ui/qr.js",
                 "/js/vendor/qrcode.js",  # co-listening (issue 17) and its vendored QR encoder
                 "/js/ui/outcome-form.js", "/js/later-logs.js", "/js/ui/push-panel.js", "/js/push.js"}  # closing, reminders
    assert set(shell["on_demand"]) == on_demand == pwa.ON_DEMAND
    assert not on_demand & set(shell["files"])
    assert {"/", "/js/app.js", "/js/ui/trait-picker.js", "/icons/icon-192.png"} <= set(shell["files"])
    # what the precached shell imports statically must be precached: nothing in it names an on-demand module
    for url in shell["files"]:
        if url.endswith(".js"):
            text = (pwa.PWA_DIR / url.lstrip("/")).read_text(encoding="utf-8")
            imported = {posixpath.normpath(posixpath.join(posixpath.dirname(url), path))
                        for path in re.findall(r'^import [^;]*? from "([^"]+)";', text, re.MULTILINE)}
            assert not imported & on_demand, url


def test_manifest_is_served_as_a_web_app_manifest_with_installable_icons(client):
    response = client.get("/manifest.webmanifest")
    manifest = response.get_json(force=True)
    assert response.mimetype == "application/manifest+json"
    assert (manifest["display"], manifest["start_url"], manifest["scope"]) == ("standalone", "/", "/")
    assert {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]} == {
        ("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


@pytest.mark.parametrize("name, size", [("icon-192.png", 192), ("icon-512.png", 512), ("maskable-512.png", 512)])
def test_icons_are_png_files_of_their_stated_size(client, name, size):
    response = client.get(f"/icons/{name}")
    assert response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", response.data[16:24]) == (size, size)


@pytest.mark.parametrize("path", ["/js/../../server/config.py", "/js/%2e%2e/%2e%2e/pyproject.toml", "/css/missing.css"])
def test_asset_routes_serve_nothing_outside_the_shell(client, path):
    assert client.get(path).status_code == 404


def test_shell_version_changes_when_any_shell_file_changes(tmp_path):
    shutil.copytree(pwa.PWA_DIR, tmp_path / "pwa")
    before = pwa.shell_version(tmp_path / "pwa")
    with open(tmp_path / "pwa" / "js" / "app.js", "a") as script:
        script.write("\n")
    assert pwa.shell_version(tmp_path / "pwa") != before


def test_shell_version_changes_when_an_on_demand_file_changes(tmp_path):
    shutil.copytree(pwa.PWA_DIR, tmp_path / "pwa")
    before = pwa.shell_version(tmp_path / "pwa")
    with open(tmp_path / "pwa" / "js" / "screens" / "practice.js", "a") as script:
        script.write("\n")
    assert pwa.shell_version(tmp_path / "pwa") != before


@pytest.mark.parametrize("path", ["/", "/js/app.js", "/css/app.css", "/manifest.webmanifest", "/sw.js"])
def test_shell_text_is_gzipped_for_clients_that_accept_it(client, path):
    plain = client.get(path)
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.get_data()) == plain.get_data()


def test_gzipped_shell_file_is_revalidated_with_its_etag(client):
    first = client.get("/js/app.js", headers={"Accept-Encoding": "gzip"})
    again = client.get("/js/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_api_json_is_gzipped(login_as):
    client, _ = login_as("principal")
    response = client.get("/api/v1/bootstrap", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "schools" in json.loads(gzip.decompress(response.get_data()))


def test_images_are_not_gzipped(client):
    response = client.get("/icons/icon-192.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
