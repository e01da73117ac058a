"""The suite runs on the database DATABASE_URL names (PostgreSQL in CI)."""

import os

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_suite_uses_the_configured_database():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
