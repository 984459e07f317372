"""Reading the server-rendered pages as a browser would: the form's CSRF field, the visible text."""
from __future__ import annotations

import re
from html.parser import HTMLParser

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "maple syrup on tuesday mornings"


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "title", "head"}:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style", "title", "head"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response) -> str:
    """The page's text as a reader sees it, whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(response.get_data(as_text=True))
    return " ".join(" ".join(parser.parts).split())


def form_token(client, path: str) -> str:
    """The CSRF token from the hidden field of the form at `path`."""
    response = client.get(path)
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF field on {path} (status {response.status_code})"
    return match.group(1)


def submit(client, path: str, data: dict, token_from: str | None = None, **kwargs):
    """Post a form as a browser does: the CSRF token in the form body, HTML accepted."""
    token = form_token(client, token_from or path)
    return client.post(path, data={**data, "csrf_token": token}, csrf=False, headers={"Accept": "text/html"}, **kwargs)


def sign_in_on_page(client, email: str, password: str = PASSWORD, next_path: str | None = None):
    data = {"email": email, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return submit(client, "/login", data)


def session_cookie(app, client) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None
