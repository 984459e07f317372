"""Fixtures for sign-in tests: a fresh browser-like client and a signed-in principal's account."""
import pytest

from tests import factories
from tests.conftest import ApiClient


@pytest.fixture()
def new_client(app, db):
    """Another browser: its own cookie jar, same app."""

    def make():
        app.test_client_class = ApiClient
        return app.test_client()

    return make


@pytest.fixture()
def principal(school):
    return factories.create_user("principal", school, email="rivera@lincoln.example.org", name="Ana Rivera")
