"""Placeholder: the sync, bootstrap and observations API (being written)."""
from server.blueprint import ApiBlueprint

blp = ApiBlueprint("sync_api", __name__, url_prefix="/api/v1", description="Offline capture: bootstrap, sync, observations")
