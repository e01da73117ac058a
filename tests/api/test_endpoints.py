"""Every list endpoint: list, detail, anonymous, forbidden, pagination, CSV and query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Board, Membership, Organisation, Person
from metrics.models import HICMAssessment, Metric, Observation, Target
from places.models import DataQualityFlag, Document, Fact, Place, Priority, System
from tests.factories import (
    BoardFactory,
    MembershipFactory,
    MetricFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    SeriesFactory,
    SystemFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def add_systems(n):
    for _ in range(n):
        SystemFactory()


def add_places(n):
    system = System.objects.first()
    for _ in range(n):
        PlaceFactory(system=system)


def add_priorities(n):
    from places.models import Priority as P

    place = Place.objects.first()
    for i in range(n):
        P.objects.create(
            key=f"extra-priority-{P.objects.count()}-{i}",
            place=place,
            title="Extra",
            status="current",
        )


def add_documents(n):
    for i in range(n):
        k = Document.objects.count()
        Document.objects.create(
            key=f"doc-x{k}-{i}", title="Extra", short_title="Extra", file_name=f"x{k}-{i}.txt"
        )


def add_facts(n):
    system = System.objects.first()
    place = Place.objects.first()
    document = Document.objects.first()
    for i in range(n):
        k = Fact.objects.count()
        Fact.objects.create(
            key=f"extra-fact-{k}-{i}",
            system=system,
            place=place if i % 2 else None,
            kind="health",
            topic="Extra",
            text="Extra",
            source_document=document,
            source_line=1,
        )


def add_flags(n):
    system = System.objects.first()
    document = Document.objects.first()
    for i in range(n):
        k = DataQualityFlag.objects.count()
        DataQualityFlag.objects.create(
            key=f"extra-flag-{k}-{i}",
            system=system,
            issue="Extra",
            handling="Extra",
            source_document=document,
            source_line=1,
        )


def add_organisations(n):
    system = System.objects.first()
    for _ in range(n):
        org = OrganisationFactory(system=system)
        org.places.add(Place.objects.first())


def add_boards(n):
    system = System.objects.first()
    parent = Board.objects.first()
    for _ in range(n):
        b = BoardFactory(system=system, place=Place.objects.first(), level="place")
        b.reporting_lines.create(reports_to=parent)


def add_people(n):
    for _ in range(n):
        PersonFactory()


def add_memberships(n):
    board = Board.objects.first()
    org = Organisation.objects.first()
    for _ in range(n):
        MembershipFactory(board=board, on_behalf_of=org)


def add_metrics(n):
    board = Board.objects.first()
    for _ in range(n):
        MetricFactory(owner_board=board)


def add_targets(n):
    for _ in range(n):
        TargetFactory(series=SeriesFactory(place=Place.objects.first()))


def add_observations(n):
    series = SeriesFactory(place=Place.objects.first())
    for i in range(n):
        start = dt.date(2000 + i // 12, i % 12 + 1, 1)
        Observation.objects.create(
            series=series, period_start=start, period_end=start, value=i, provenance="upload"
        )


def add_hicm(n):
    change = HICMAssessment.objects.first().change
    for i in range(n):
        HICMAssessment.objects.create(
            change=change,
            kind="planned",
            as_at_label=f"extra {HICMAssessment.objects.count()} {i}",
            maturity="mature",
        )


class EndpointTests:
    """Mixin: set ``url``, ``model``, ``add`` (creates n more rows) and ``detail`` (a lookup)."""

    url: str
    model: type
    add = None
    lookup = "id"
    # The most SQL queries a list page may run, whatever its length (count, page, prefetch).
    max_queries = 3

    def detail_url(self):
        obj = self.model.objects.order_by("pk").first()
        value = getattr(obj, self.lookup)
        return f"{self.url}{value}/"

    def test_list(self, analyst):
        response = analyst.get(self.url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["results"]) == min(
            self.model.objects.count(), 50 if "count" in body else 100
        )

    def test_detail(self, analyst):
        response = analyst.get(self.detail_url())
        assert response.status_code == 200, response.content
        assert response.json()["id"] == self.model.objects.order_by("pk").first().pk

    def test_unknown_detail_is_404(self, analyst):
        assert analyst.get(f"{self.url}no-such-thing-99999/").status_code == 404

    def test_anonymous_is_401(self, api_as):
        response = api_as(None).get(self.url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")

    def test_user_without_a_role_is_403(self, api_as):
        assert api_as("no_role").get(self.url).status_code == 403

    def test_writes_are_refused(self, api_as):
        client = api_as("commissioner")
        before = self.model.objects.count()
        assert client.post(self.url, {}, format="json").status_code in (403, 405)
        assert client.delete(self.detail_url()).status_code in (403, 405)
        assert self.model.objects.count() == before

    def test_pagination(self, analyst):
        self.add(3)
        body = analyst.get(self.url, {"page_size": 1}).json()
        assert len(body["results"]) == 1
        assert body["next"]
        second = analyst.get(body["next"]).json()
        assert second["results"][0]["id"] != body["results"][0]["id"]

    def test_page_size_has_a_maximum(self, analyst):
        self.add(2)
        body = analyst.get(self.url, {"page_size": 100000}).json()
        assert len(body["results"]) <= 1000

    def test_csv(self, analyst):
        response = analyst.get(self.url, {"format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode()
        lines = text.split("\r\n")
        assert lines[0].split(",")[0] == "id"
        assert len([line for line in lines[1:] if line]) >= min(1, self.model.objects.count())

    def test_query_count_is_constant(self, analyst):
        def queries():
            with CaptureQueriesContext(connection) as ctx:
                assert analyst.get(self.url, {"page_size": 500}).status_code == 200
            # Authentication reads the token, its user and their role in one query.
            return len(ctx.captured_queries)

        # The token's first use is recorded (then at most once a minute): not counted below.
        analyst.get(self.url)
        self.add(5)
        small = queries()
        self.add(10)
        large = queries()
        assert small == large
        assert large <= self.max_queries + 1  # + the token lookup


class TestSystems(EndpointTests):
    url, model, lookup = "/api/v1/systems/", System, "slug"
    add = staticmethod(add_systems)


class TestPlaces(EndpointTests):
    url, model, lookup = "/api/v1/places/", Place, "slug"
    add = staticmethod(add_places)


class TestPriorities(EndpointTests):
    url, model = "/api/v1/priorities/", Priority
    add = staticmethod(add_priorities)
    max_queries = 4  # count, page, outcome links, metric links


class TestDocuments(EndpointTests):
    url, model, lookup = "/api/v1/documents/", Document, "key"
    add = staticmethod(add_documents)


class TestFacts(EndpointTests):
    url, model, lookup = "/api/v1/facts/", Fact, "key"
    add = staticmethod(add_facts)
    max_queries = 3  # count, page, the workstreams' leads


class TestDataQualityFlags(EndpointTests):
    url, model, lookup = "/api/v1/data-quality/", DataQualityFlag, "key"
    add = staticmethod(add_flags)


class TestOrganisations(EndpointTests):
    url, model = "/api/v1/organisations/", Organisation
    add = staticmethod(add_organisations)


class TestBoards(EndpointTests):
    url, model, lookup = "/api/v1/boards/", Board, "slug"
    add = staticmethod(add_boards)


class TestPeople(EndpointTests):
    url, model, lookup = "/api/v1/people/", Person, "key"
    add = staticmethod(add_people)


class TestMemberships(EndpointTests):
    url, model = "/api/v1/memberships/", Membership
    add = staticmethod(add_memberships)


class TestMetrics(EndpointTests):
    url, model, lookup = "/api/v1/metrics/", Metric, "code"
    add = staticmethod(add_metrics)


class TestTargets(EndpointTests):
    url, model = "/api/v1/targets/", Target
    add = staticmethod(add_targets)


class TestObservations(EndpointTests):
    url, model = "/api/v1/observations/", Observation
    add = staticmethod(add_observations)
    max_queries = 1  # cursor pages: no COUNT(*)

    def test_no_count_over_observations(self, analyst):
        with CaptureQueriesContext(connection) as ctx:
            analyst.get(self.url)
        assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]

    def test_one_series_is_three_queries(self, analyst):
        """The token, the metric and subject checked together, and the page: at most 3."""
        params = {"metric": "wf-vacancy", "subject_type": "organisation", "subject": "GEH"}
        analyst.get(self.url)  # the token's first use is recorded: not counted below
        with CaptureQueriesContext(connection) as ctx:
            response = analyst.get(self.url, params)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert rows and {r["series"]["subject"] for r in rows} == {"GEH"}
        assert {r["series"]["metric"] for r in rows} == {"wf-vacancy"}
        assert len(ctx.captured_queries) == 3, [q["sql"][:80] for q in ctx.captured_queries]


class TestHICM(EndpointTests):
    url, model = "/api/v1/hicm/", HICMAssessment
    add = staticmethod(add_hicm)
