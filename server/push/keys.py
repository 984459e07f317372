"""The VAPID key pair: from the environment, else created once in instance/ by `hallpulse init`."""
from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

PRIVATE_KEY_FILE = "vapid_private.pem"


def key_path(instance: Path) -> Path:
    return instance / PRIVATE_KEY_FILE


def ensure_key_pair(instance: Path) -> bool:
    """Create the instance's VAPID key pair unless it exists; True when one was made."""
    path = key_path(instance)
    if path.exists():
        return False
    instance.mkdir(parents=True, exist_ok=True)
    vapid = Vapid()
    vapid.generate_keys()
    path.touch(mode=0o600)
    vapid.save_key(str(path))
    return True


def application_server_key(vapid: Vapid) -> str:
    """The public key as browsers want it: base64url of the uncompressed P-256 point."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
