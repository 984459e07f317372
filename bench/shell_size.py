"""Size of the offline app's shell: total gzip bytes of the precached shell against the 60 KB budget, the
on-demand files apart (server/pwa.py ON_DEMAND: cached on first use, not at install), and the network
requests of a first load and of a repeat load (the service worker should serve the whole shell: 0 requests).

    /work/venv/bin/python bench/shell_size.py

Runs the real app (werkzeug, temporary SQLite database) on a free 127.0.0.1 port and Debian
Chromium at /usr/bin/chromium. Sizes are measured from the files the server sends (gzip -9).
"""
from __future__ import annotations

import gzip
import os
import socket
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_BYTES = 60 * 1024
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(workdir: Path):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from server import create_app
    from server.cli import upgrade_database

    os.environ.setdefault("HALLPULSE_INSTANCE", str(workdir))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}", "INSTANCE_DIR": str(workdir)})
    with app.app_context():
        upgrade_database()
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server


def shell_bytes(app, client, urls: list[str]) -> tuple[int, int]:
    raw = gzipped = 0
    for url in urls:
        body = client.get(url).data
        raw += len(body)
        gzipped += len(gzip.compress(body, 9))
    return raw, gzipped


def loads(url: str) -> tuple[int, int]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        seen: list = []
        page.on("response", lambda response: seen.append(response))
        page.goto(url, wait_until="networkidle")
        page.evaluate("""() => new Promise((resolve, reject) => {
            if (navigator.serviceWorker.controller) return resolve();
            navigator.serviceWorker.addEventListener("controllerchange", resolve);
            setTimeout(() => reject(new Error("no service worker took control in 15 s")), 15000);
        })""")
        shell = lambda response: "/api/" not in response.url  # noqa: E731
        first = sum(1 for response in seen if shell(response) and not response.from_service_worker)
        seen.clear()
        page.reload(wait_until="networkidle")
        repeat = sum(1 for response in seen if shell(response) and not response.from_service_worker)
        browser.close()
    return first, repeat


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        app, server = serve(Path(workdir))
        try:
            shell = app.extensions["pwa_shell"]
            raw, gzipped = shell_bytes(app, app.test_client(), shell["files"] + ["/sw.js"])
            print(f"precached shell files: {len(shell['files']) + 1}, {raw} bytes raw, {gzipped} bytes gzip")
            print(f"gzip / budget (60 KB): {gzipped / BUDGET_BYTES:.2f}")
            raw, gzipped = shell_bytes(app, app.test_client(), shell["on_demand"])
            print(f"on demand (not precached, not in the budget): {len(shell['on_demand'])} files, {raw} bytes raw, "
                  f"{gzipped} bytes gzip")
            if os.path.exists(CHROMIUM):
                first, repeat = loads(f"http://127.0.0.1:{server.server_port}/")
                print(f"first load: {first} network requests for the shell; repeat load: {repeat}")
            else:
                print(f"(no Chromium at {CHROMIUM}: request counts skipped)")
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
