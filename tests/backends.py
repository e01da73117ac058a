"""Marks for tests of what only PostgreSQL does; CI runs every test on PostgreSQL."""

import pytest
from django.db import connection


def postgresql_only(reason: str) -> pytest.MarkDecorator:
    """Skip the test on other databases (the embedded SQLite default), saying why."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=reason)
