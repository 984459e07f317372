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


class VapidKeyError(RuntimeError):
    """No usable VAPID key pair: push is not set up on this server."""


def load_vapid(config) -> Vapid:
    """The server's VAPID key: VAPID_PRIVATE_KEY (PEM, DER or raw, base64url) if set, else instance/.

    A VAPID_PUBLIC_KEY given alongside must be the private key's own, or browsers would subscribe
    with a key the server cannot sign for.
    """
    private = (config.get("VAPID_PRIVATE_KEY") or "").strip()
    try:
        if private.startswith("-----BEGIN"):
            vapid = Vapid.from_pem(private.encode())
        elif private:
            vapid = Vapid.from_string(private)
        else:
            path = key_path(Path(config["INSTANCE_DIR"]))
            if not path.exists():
                raise VapidKeyError(f"no VAPID key: run `hallpulse init` (creates {path}) or set VAPID_PRIVATE_KEY")
            vapid = Vapid.from_file(str(path))
    except VapidKeyError:
        raise
    except Exception as error:  # py_vapid raises bare exceptions for malformed keys
        raise VapidKeyError(f"the VAPID private key cannot be read: {error.__class__.__name__}") from None
    public = (config.get("VAPID_PUBLIC_KEY") or "").strip().rstrip("=")
    if public and public != application_server_key(vapid):
        raise VapidKeyError("VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY")
    return vapid
