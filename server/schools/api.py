"""Placeholder API (being written)."""
from server.blueprint import ApiBlueprint

blp = ApiBlueprint("schools_api", __name__, url_prefix="/api/v1", description="schools")
