"""Passwords are stored as Argon2id hashes, and hashes made with weaker settings are upgraded at sign-in."""
from argon2 import PasswordHasher

from server.auth import passwords
from server.auth.models import User
from tests.auth.pages import PASSWORD, sign_in_on_page


def stored_hash(db, user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_stored_password_is_an_argon2id_hash(db, principal):
    stored = stored_hash(db, principal)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_weaker_hash_is_upgraded_at_the_next_sign_in(app, db, client, principal):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    principal.password_hash = weak
    db.session.commit()
    assert sign_in_on_page(client, principal.email).status_code == 302
    upgraded = stored_hash(db, principal)
    assert upgraded != weak
    assert f"m={app.config['ARGON2_MEMORY_KIB']},t={app.config['ARGON2_TIME_COST']}" in upgraded
    assert PasswordHasher().verify(upgraded, PASSWORD)


def test_failed_sign_in_leaves_a_weaker_hash_alone(db, client, principal):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    principal.password_hash = weak
    db.session.commit()
    sign_in_on_page(client, principal.email, "wrong guess")
    assert stored_hash(db, principal) == weak


def test_an_app_without_the_test_profile_hashes_with_t3_and_64_mib(app):
    """Tests and the browser suite's servers hash with the quick test profile; every other app, served or
    run from the command line, uses this one (server/auth/passwords.py)."""
    profile = {key: app.config.pop(key) for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB")}
    try:
        with app.app_context():
            hashed = passwords.hash_password(PASSWORD)
            assert passwords.verify(hashed, PASSWORD) and not passwords.needs_rehash(hashed)
    finally:
        app.config.update(profile)
    assert "$m=65536,t=3,p=1$" in hashed
