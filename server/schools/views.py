"""Placeholder pages (being written)."""
from flask import Blueprint

bp = Blueprint("schools", __name__)
