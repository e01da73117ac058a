"""Property-based fuzzing of every operation in the OpenAPI schema, in-process over WSGI.

As an analyst, a board secretary and an admin: no server error, and every response conforms to
the schema (status code, content type, body). Each operation alone, then the workflows its
OpenAPI links describe (create a membership, read it, change it with its ETag, end it).
SCHEMATHESIS_EXAMPLES sets the examples per operation (25 by default, so that `make test` stays
short; the audit's full run is 200) and SCHEMATHESIS_WORKFLOWS the workflows per role (a fifth
of that, at least 5); the single-operation examples are derandomised, so every run tries the
same ones.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from icsportal.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
# Workflows along the links per role: each is up to WORKFLOW_STEPS calls.
WORKFLOWS = int(os.environ.get("SCHEMATHESIS_WORKFLOWS", str(max(5, EXAMPLES // 5))))
ROLES = ["analyst", "secretary_a", "admin"]
# Calls in one workflow: create, read, change, change again, end, read is six.
WORKFLOW_STEPS = 6
# Unknown filter values are refused with 400 by design (never an empty list), and unknown
# parameters are ignored as Django does; the checks that expect otherwise are left out.
EXCLUDED = [positive_data_acceptance, negative_data_rejection]


@pytest.fixture
def wsgi_in_test_transaction():
    # Requests go straight to the WSGI application; as Django's test client does, keep the test's
    # database connection (and its transaction) open between them.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema():
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def _settings(**extra) -> settings:
    return settings(
        **{
            "max_examples": EXAMPLES,
            "deadline": None,
            "derandomize": True,
            "database": None,
            "suppress_health_check": list(HealthCheck),
            **extra,
        }
    )


def _examples_of(operation, token_for):
    """A Hypothesis test sending the operation's examples with ``token_for()``'s token."""

    # Valid input only: invalid input (GenerationMode.NEGATIVE) crashes schemathesis 4.3 itself
    # when it serialises a non-object body as a form ("'bool' object has no attribute 'items'").
    @given(case=operation.as_strategy())
    @_settings()
    def run(case):
        case.call_and_validate(headers={"Authorization": token_for()}, excluded_checks=EXCLUDED)

    return run


def _described(exc: BaseException) -> str:
    """Every failure Hypothesis found, not only how many."""
    found = getattr(exc, "exceptions", None)
    return "\n".join(map(_described, found)) if found else str(exc)


def fuzz(api_as, role: str) -> dict[str, str]:
    schema = _schema()
    failures = {}
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 30
    token = api_as(role)._credentials["HTTP_AUTHORIZATION"]

    def fresh_token():
        return api_as(role)._credentials["HTTP_AUTHORIZATION"]

    for operation in operations:
        # DELETE /auth/token/ revokes the token it was sent: it gets a fresh one each time.
        revokes = operation.method == "delete" and operation.path.endswith("/auth/token/")
        run = _examples_of(operation, fresh_token if revokes else lambda: token)
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - every operation's failure is reported together
            failures[f"{operation.method.upper()} {operation.path}"] = _described(exc)[:4000]
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_api_as(role, api_as, wsgi_in_test_transaction):
    assert fuzz(api_as, role) == {}


@pytest.mark.parametrize("role", ROLES)
def test_workflows_along_the_links_as(role, api_as, wsgi_in_test_transaction):
    schema = _schema()
    token = api_as(role)._credentials["HTTP_AUTHORIZATION"]
    assert schema.statistic.links.total >= 8

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": token}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, excluded_checks=EXCLUDED, headers=kwargs.get("headers")
            )

    Workflow.run(settings=_settings(max_examples=WORKFLOWS, stateful_step_count=WORKFLOW_STEPS))
