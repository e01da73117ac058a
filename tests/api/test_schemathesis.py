"""Property-based fuzzing of every operation in the OpenAPI schema, in-process over WSGI.

As an analyst and as a board secretary: no server error, and every response conforms to the
schema (status code, content type, body). SCHEMATHESIS_EXAMPLES sets the examples per
operation (100 by default).
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from icsportal.wsgi import application

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "100"))


@pytest.fixture
def api_schema(db):
    # Requests go straight to the WSGI application; as Django's test client does, keep the test's
    # database connection (and its transaction) open between them.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def _headers(api_as, role):
    client = api_as(role)
    return {"Authorization": client._credentials["HTTP_AUTHORIZATION"]}


@schema.parametrize()
@FUZZ
def test_api_as_analyst(case, api_as):
    case.call_and_validate(headers=_headers(api_as, "analyst"))


@schema.parametrize()
@FUZZ
def test_api_as_board_secretary(case, api_as):
    case.call_and_validate(headers=_headers(api_as, "secretary_a"))
