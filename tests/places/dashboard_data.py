"""Data for the dashboard page tests: the illustrative series, snapshots, and more of both.

The C&W facts are loaded once per test database (tests/conftest.py); the functions here add,
inside each test's transaction, what the dashboards read: the synthetic series and published
snapshots, and (for the second data size of the query-count tests) more metrics, series,
observations, organisations, boards and seats.
"""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.test import Client

from demo.synthetic import month, synthetic_generate
from governance.models import Board, Membership, ReportingLine
from governance.services import role_grant
from metrics.choices import Provenance
from metrics.models import Observation, Target
from metrics.snapshots import snapshot_build
from places.models import Document, Fact, Place, Priority, System
from tests.factories import (
    BoardFactory,
    MembershipFactory,
    MetricFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
)

_serial = count()


def sign_in_commissioner(client: Client) -> Client:
    """The test client, signed in as a user with the commissioner role."""
    grant = role_grant(username=f"commissioner-{next(_serial)}", role="commissioner")
    client.force_login(grant.user)
    # The first request stamps the session (sign-in time, last save) and saves it; later
    # requests within a minute only read it, so query counts compare like with like.
    client.get("/about/icons/")
    return client


def publish_snapshots(system: System) -> None:
    """Compute and publish the snapshot of every scope of ``system``."""
    for place in system.places.order_by("pk"):
        snapshot_build(system_id=system.pk, place_id=place.pk)
    snapshot_build(system_id=system.pk)


def build_dashboards() -> System:
    """The C&W system with its illustrative series and published snapshots."""
    system = System.objects.get()
    synthetic_generate(system=system)
    publish_snapshots(system)
    return system


def _observations(series, points: int, level: float, *, source=None) -> None:
    rows = []
    for i in range(points):
        start, end = month(i)
        # A step half way: the second half sits above the first, so SPC finds special cause.
        value = level + (i % 5) - 2 + (level * 0.2 if i >= points // 2 else 0)
        rows.append(
            Observation(
                series=series,
                period_start=start,
                period_end=end,
                value=round(value, 1),
                provenance=Provenance.DOCUMENT if source else Provenance.UPLOAD,
                source_document=source,
                source_line=10 + i if source else None,
            )
        )
    Observation.objects.bulk_create(rows)


def grow(system: System, *, metrics: int = 4, points: int = 30, boards: int = 4) -> None:
    """Add to every Place of ``system`` more metrics (a Place series and an organisation series
    each, with observations and a target), organisations, boards with seats and reporting
    lines, priorities and facts; then publish the snapshots again."""
    document = Document.objects.order_by("pk").first()
    owner = Board.objects.filter(system=system).order_by("pk").first()
    for place in Place.objects.filter(system=system).order_by("pk"):
        org = OrganisationFactory(system=system, kind="acute_trust")
        org.places.add(place)
        for k in range(metrics):
            category = "workforce" if k % 2 else "activity"
            metric = MetricFactory(category=category, owner_board=owner, frequency="monthly")
            series = SeriesFactory(metric=metric, subject_type="place", place=place)
            _observations(series, points, 100.0 + k)
            Target.objects.create(
                series=series,
                period_start=dt.date(2016, 4, 1),
                period_end=dt.date(2020, 3, 31),
                period_label="2016-2020",
                value=105.0,
                source_document=document,
                source_line=5,
            )
            org_series = SeriesFactory(
                metric=metric, subject_type="organisation", place=None, organisation=org
            )
            _observations(org_series, points, 50.0 + k, source=document)
        parent = Board.objects.filter(place=place).order_by("pk").first() or owner
        for _ in range(boards):
            board = BoardFactory(system=system, level="place", place=place)
            ReportingLine.objects.create(board=board, reports_to=parent, order=0)
            MembershipFactory(board=board, role="chair", on_behalf_of=org)
            MembershipFactory(board=board, person=PersonFactory(), on_behalf_of=org)
            Membership.objects.create(board=board, role="member", on_behalf_of=org)
        Priority.objects.create(
            key=f"grown-priority-{place.pk}-{next(_serial)}",
            system=place.system,
            place=place,
            title="Grown priority",
            status="current",
        )
        Fact.objects.create(
            key=f"grown-fact-{place.pk}-{next(_serial)}",
            system=system,
            place=place,
            kind="background",
            text="A grown background fact.",
            source_document=document,
            source_line=3,
        )
    publish_snapshots(system)
