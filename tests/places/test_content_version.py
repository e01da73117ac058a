"""The content version: every write to a page's content changes it, however it is made, so a
cached Place or metric page is never served after its content changed."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction

from governance.models import Board, Membership, Person
from metrics.models import Metric, Observation
from places import content_version
from places.models import Fact, Place
from tests.places.dashboard_data import build_dashboards, sign_in_commissioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(client):
    return sign_in_commissioner(client)


@pytest.fixture
def dashboards():
    cache.clear()
    return build_dashboards()


def version() -> int:
    return content_version.current_version()


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _tables_with_the_trigger() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE t.tgname = %s",
                [content_version.TRIGGER],
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{content_version.TRIGGER}_%"],
        )
        return {row[0] for row in cursor.fetchall()}


def test_every_table_of_page_content_has_the_trigger_and_the_excluded_ones_do_not():
    tables = _tables_with_the_trigger()
    expected = set(content_version.content_tables(apps))
    assert expected <= tables, f"a migration must install the trigger on {expected - tables}"
    assert {"governance_membership", "places_place", "metrics_metric"} <= tables
    # The risk register and finance moved to assurance and keep their tables and triggers.
    assert {"governance_risk", "places_financefigure"} <= expected
    for excluded in ("metrics_observation", "metrics_snapshot", "metrics_seriessummary"):
        assert excluded not in tables
    assert not [t for t in tables if "historical" in t]


def test_every_kind_of_write_changes_the_version(dashboards):
    place = Place.objects.first()
    seen = [version()]

    def changed():
        now = version()
        assert now not in seen
        seen.append(now)

    place.name = place.name + " "
    place.save()
    changed()
    Place.objects.filter(pk=place.pk).update(name=place.name.strip())
    changed()
    person = Person.objects.create(key="cv-person", name="A Person", system=place.system)
    changed()
    Membership.objects.bulk_create([Membership(board=Board.objects.first(), person=person)])
    changed()
    Membership.objects.filter(person=person).delete()
    changed()
    with connection.cursor() as cursor:
        fact = Fact.objects.first()
        cursor.execute("UPDATE places_fact SET note = note WHERE id = %s", [fact.pk])
    changed()


def test_observation_writes_leave_the_version_alone(dashboards):
    before = version()
    Observation.objects.filter(pk=Observation.objects.first().pk).update(note="checked")
    assert version() == before


def test_a_rolled_back_change_never_brings_its_version_back(dashboards):
    before = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Place.objects.update(name="Rolled back")
        inside = version()
        raise RuntimeError
    assert version() == before != inside
    Place.objects.filter(pk=Place.objects.first().pk).update(name="After")
    assert version() not in (before, inside)


def test_a_cached_place_page_shows_a_member_added_without_the_orm_signals(
    commissioner_client, dashboards
):
    place = Place.objects.get(slug="warwickshire-north")
    board = Board.objects.filter(place=place).order_by("name").first()
    url = place.get_absolute_url()
    assert "Ada Content-Version" not in html_of(commissioner_client, url)
    assert "Ada Content-Version" not in html_of(commissioner_client, url)  # now cached
    person = Person.objects.create(key="ada-cv", name="Ada Content-Version", system=place.system)
    Membership.objects.bulk_create([Membership(board=board, person=person, role="member")])
    assert "Ada Content-Version" in html_of(commissioner_client, url)
    Person.objects.filter(pk=person.pk).update(name="Grace Content-Version")
    html = html_of(commissioner_client, url)
    assert "Grace Content-Version" in html and "Ada Content-Version" not in html


def test_a_cached_metric_page_follows_its_definition_and_owner_board(
    commissioner_client, dashboards
):
    metric = Metric.objects.exclude(owner_board=None).first()
    url = metric.get_absolute_url()
    html_of(commissioner_client, url)
    Metric.objects.filter(pk=metric.pk).update(definition="A definition changed in place.")
    assert "A definition changed in place." in html_of(commissioner_client, url)
    person = Person.objects.create(
        key="owner-cv", name="Owner Content-Version", system=metric.owner_board.system
    )
    Membership.objects.create(board=metric.owner_board, person=person, role="member")
    assert "Owner Content-Version" in html_of(commissioner_client, url)
