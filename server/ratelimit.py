"""Rate-limit keys: the login limit is per account, so a school behind one NAT is not locked out."""
from flask import request


def client_address() -> str:
    return request.remote_addr or "unknown"


def login_account_key() -> str:
    """Key the login limit on the submitted email (plus nothing else: the account is the target)."""
    email = ""
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("email"), str):
            email = body["email"]
    else:
        email = request.form.get("email", "")
    return "login:" + email.strip().lower()[:320]
