"""Roles × every operation in the schema × methods: no unexpected success, no refused write.

EXPECTED names, for each (path, method) of the schema, the roles that may get a 2xx. The
meta-test fails when the schema has an operation the matrix does not cover.
"""

import pytest
from django.apps import apps
from django.db.models import Max

from governance.models import Board, Membership

pytestmark = pytest.mark.django_db

ROLES = [None, "no_role", "commissioner", "secretary_a", "secretary_b", "analyst", "admin"]
READERS = {"commissioner", "secretary_a", "secretary_b", "analyst", "admin"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {None}

EXPECTED = {
    ("/api/v1/auth/token/", "post"): set(),  # wrong credentials: 400 for everyone
    ("/api/v1/auth/token/", "delete"): SIGNED_IN,
    ("/api/v1/observations/bulk/", "post"): set(),  # an empty body: 400 even for analysts
    # An empty body: 400 for those who may annotate (the others 403).
    ("/api/v1/annotations/", "post"): set(),
    # An empty body is 400 for a board's secretaries; without If-Match a change is 428.
    ("/api/v1/memberships/", "post"): set(),
    ("/api/v1/memberships/{id}/", "patch"): set(),
    ("/api/v1/memberships/{id}/end/", "post"): set(),
    # Background imports: an analyst's own (an administrator's all); there is none to read.
    ("/api/v1/imports/", "get"): {"analyst", "admin"},
    ("/api/v1/imports/{id}/", "get"): set(),
}
# Changes to the structure: an empty POST is 400 for administrators (403 for the others).
STRUCTURE = ["board-successions", "organisation-successions", "place-moves", "clusters"]
for name in STRUCTURE:
    EXPECTED[(f"/api/v1/{name}/", "post")] = set()
# Meetings and their records: an empty POST is 400 for the board's editors (403 for the
# others); the documents hold no meeting, so each PATCH finds nothing (404).
MEETING_RECORDS = ["meetings", "agenda-items", "attendance", "interests", "declarations", "actions"]
for name in MEETING_RECORDS:
    EXPECTED[(f"/api/v1/{name}/", "post")] = set()
    EXPECTED[(f"/api/v1/{name}/{{id}}/", "patch")] = set()
READ_PATHS = [
    "/api/v1/",
    "/api/v1/annotations/",
    "/api/v1/annotations/{id}/",
    "/api/v1/compare/",
    "/api/v1/boards/",
    "/api/v1/boards/{slug}/",
    "/api/v1/commitments/",
    "/api/v1/commitments/{key}/",
    "/api/v1/finance-figures/",
    "/api/v1/finance-figures/{key}/",
    "/api/v1/finance-principles/",
    "/api/v1/finance-principles/{id}/",
    "/api/v1/outcomes/",
    "/api/v1/outcomes/{key}/",
    "/api/v1/risks/",
    "/api/v1/risks/{key}/",
    "/api/v1/dashboards/",
    "/api/v1/dashboards/{slug}/",
    "/api/v1/dashboards/system/",
    "/api/v1/documents/",
    "/api/v1/documents/{key}/",
    "/api/v1/facts/",
    "/api/v1/facts/{key}/",
    "/api/v1/data-quality/",
    "/api/v1/data-quality/{key}/",
    "/api/v1/export/popolo.json",
    "/api/v1/hicm/",
    "/api/v1/hicm/{id}/",
    "/api/v1/memberships/",
    "/api/v1/memberships/{id}/",
    "/api/v1/metrics/",
    "/api/v1/metrics/{code}/",
    "/api/v1/system-metrics/",
    "/api/v1/system-metrics/{id}/",
    "/api/v1/observations/",
    "/api/v1/observations/{id}/",
    "/api/v1/organisations/",
    "/api/v1/organisations/{id}/",
    "/api/v1/people/",
    "/api/v1/people/{key}/",
    "/api/v1/places/",
    "/api/v1/places/{slug}/",
    "/api/v1/priorities/",
    "/api/v1/priorities/{id}/",
    "/api/v1/series/",
    "/api/v1/series/{id}/",
    "/api/v1/systems/",
    "/api/v1/systems/{slug}/",
    "/api/v1/targets/",
    "/api/v1/targets/{id}/",
    *(f"/api/v1/{name}/" for name in MEETING_RECORDS),
    *(f"/api/v1/{name}/{{id}}/" for name in MEETING_RECORDS),
    "/api/v1/meetings/{id}/pack/",
    *(f"/api/v1/{name}/" for name in STRUCTURE),
    "/api/v1/board-successions/{id}/",
    "/api/v1/organisation-successions/{id}/",
    "/api/v1/place-moves/{id}/",
    "/api/v1/clusters/{slug}/",
]
# Reads that need parameters or a published snapshot answer 400/404 here, never 2xx.
NO_DATA = {
    "/api/v1/dashboards/{slug}/",
    "/api/v1/dashboards/system/",
    # no annotation, and no metric with numerators and denominators, in the documents
    "/api/v1/annotations/{id}/",
    "/api/v1/compare/",
    # no meeting in the documents
    *(f"/api/v1/{name}/{{id}}/" for name in MEETING_RECORDS),
    "/api/v1/meetings/{id}/pack/",
    # no Place has moved and no cluster is recorded in the documents
    "/api/v1/place-moves/{id}/",
    "/api/v1/clusters/{slug}/",
}
for path in READ_PATHS:
    EXPECTED[(path, "get")] = set() if path in NO_DATA else READERS


def concrete(path: str) -> str:
    """The path with a real object in each placeholder."""
    from assurance.models import Commitment, FinanceFigure, FinancePrinciple, Risk
    from governance.models import BoardSuccession, Organisation, OrganisationSuccession, Person
    from metrics.models import (
        Annotation,
        HICMAssessment,
        ImportJob,
        Metric,
        Observation,
        Series,
        SystemMetric,
        Target,
    )
    from places.models import (
        Cluster,
        DataQualityFlag,
        Document,
        Fact,
        Outcome,
        Place,
        PlaceInSystem,
        Priority,
        System,
    )

    first = {
        "/api/v1/annotations/": Annotation,
        "/api/v1/boards/": Board,
        "/api/v1/commitments/": Commitment,
        "/api/v1/finance-figures/": FinanceFigure,
        "/api/v1/finance-principles/": FinancePrinciple,
        "/api/v1/outcomes/": Outcome,
        "/api/v1/risks/": Risk,
        "/api/v1/documents/": Document,
        "/api/v1/facts/": Fact,
        "/api/v1/data-quality/": DataQualityFlag,
        "/api/v1/hicm/": HICMAssessment,
        "/api/v1/imports/": ImportJob,
        "/api/v1/memberships/": Membership,
        "/api/v1/metrics/": Metric,
        "/api/v1/system-metrics/": SystemMetric,
        "/api/v1/observations/": Observation,
        "/api/v1/organisations/": Organisation,
        "/api/v1/people/": Person,
        "/api/v1/places/": Place,
        "/api/v1/priorities/": Priority,
        "/api/v1/series/": Series,
        "/api/v1/systems/": System,
        "/api/v1/targets/": Target,
        "/api/v1/board-successions/": BoardSuccession,
        "/api/v1/organisation-successions/": OrganisationSuccession,
        "/api/v1/place-moves/": PlaceInSystem,
        "/api/v1/clusters/": Cluster,
    }
    if path.startswith("/api/v1/dashboards/{"):
        return path.replace("{slug}", "rugby")
    if "{" not in path:
        return path
    if path.split("/")[3] in MEETING_RECORDS:
        return path.replace("{id}", "0")
    base, _, rest = path.partition("{")
    field = rest.split("}")[0]
    obj = first[base].objects.order_by("pk").first()
    if obj is None:  # nothing of the kind in the documents: a key that finds nothing
        return base + "0" + rest.split("}", 1)[1]
    if base == "/api/v1/memberships/":
        # A seat on secretary A's board, so a secretary's own-board writes are exercised.
        obj = Membership.objects.filter(board__slug="warwickshire-north-place-executive").first()
    return base + str(getattr(obj, "pk" if field == "id" else field)) + rest.split("}", 1)[1]


WRITABLE = [
    "governance.Membership",
    "governance.Person",
    "governance.Board",
    "governance.BoardSuccession",
    "governance.Organisation",
    "governance.OrganisationSuccession",
    "places.PlaceInSystem",
    "places.Cluster",
    "places.ClusterMembership",
    "metrics.Annotation",
    "metrics.Observation",
    "metrics.ImportBatch",
    "metrics.ImportJob",
    "metrics.ObservationChange",
    "metrics.Series",
    "metrics.Snapshot",
]


def fingerprint() -> dict:
    """Row counts of the tables an API write could touch, and the latest membership change."""
    counts = {label: apps.get_model(label).objects.count() for label in WRITABLE}
    counts["membership_modified"] = Membership.objects.aggregate(m=Max("modified_at"))["m"]
    return counts


def schema_operations(client) -> set[tuple[str, str]]:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return {
        (path, method)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_schema_operation_is_in_the_matrix(analyst):
    assert schema_operations(analyst) == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_matrix(api_as, role):
    client = api_as(role)
    paths = sorted({p for p, _ in EXPECTED})
    unexpected = []
    for path in paths:
        url = concrete(path)
        for method in ("get", "post", "put", "patch", "delete"):
            allowed = role in EXPECTED.get((path, method), set())
            before = fingerprint() if method != "get" else None
            response = getattr(client, method)(url, {}, format="json")
            if 200 <= response.status_code < 300 and not allowed:
                unexpected.append((method.upper(), url, response.status_code))
            if response.status_code >= 500:
                unexpected.append((method.upper(), url, response.status_code))
            if before is not None and not 200 <= response.status_code < 300:
                assert fingerprint() == before, (method, url, "a refused request changed rows")
            if method == "delete" and path == "/api/v1/auth/token/" and allowed:
                client = api_as(role)  # the token was revoked: take a new one
    assert not unexpected
