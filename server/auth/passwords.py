"""Argon2id hashing with rehash-on-login, and the rules a new password must meet."""
from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 256

# A hash to verify against when the account does not exist, so timing does not reveal it.
_DUMMY_PASSWORD = "not-a-real-password-hallway-pulse"


def hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher(config.get("ARGON2_TIME_COST", 3), config.get("ARGON2_MEMORY_KIB", 65536))


@cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    ph = hasher()
    try:
        return ph.verify(password_hash or _dummy_hash(ph), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash(_DUMMY_PASSWORD)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("server").joinpath("data/common-passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Plain-words reasons a new password is not acceptable; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        problems.append("That password is too common or too easy to guess.")
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (name and name.lower() == lowered):
        problems.append("Do not use your name or email address in the password.")
    return problems
