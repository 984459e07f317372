"""Placeholder: serves the PWA from pwa/ (being written)."""
from flask import Blueprint

bp = Blueprint("pwa", __name__)
