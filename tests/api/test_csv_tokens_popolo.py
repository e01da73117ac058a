"""CSV round trips and formula neutralisation; tokens; the Popolo export."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import AgendaItem, Board, Meeting, Membership, Person
from icsportal.api.renderers import neutralise
from icsportal.models import ApiToken

pytestmark = pytest.mark.django_db
POPOLO = Path(__file__).parent / "popolo"


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "\r\n" in text  # RFC 4180 line endings
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_round_trips_the_json(analyst):
    rows = read_csv(
        analyst.get(
            "/api/v1/memberships/", {"format": "csv", "board": "warwickshire-north-place-executive"}
        )
    )
    data = analyst.get(
        "/api/v1/memberships/", {"board": "warwickshire-north-place-executive"}
    ).json()["results"]
    assert [int(r["id"]) for r in rows] == [d["id"] for d in data]
    for row, item in zip(rows, data, strict=True):
        assert row["on_behalf_of.name"] == item["on_behalf_of"]["name"]
        assert row["holder"] == item["holder"] == "not named in the source"
        assert row["person.name"] == ""
        assert row["source.line"] == str(item["source"]["line"])


def test_accept_header_selects_csv(analyst):
    response = analyst.get("/api/v1/places/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")
    assert {r["slug"] for r in read_csv(response)} == {
        "coventry",
        "rugby",
        "south-warwickshire",
        "warwickshire-north",
    }


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_leading_values_are_neutralised(analyst, lead):
    hostile = f'{lead}HYPERLINK("http://evil.example")'
    membership = Membership.objects.first()
    person = Person.objects.create(
        key=f"hostile-{ord(lead)}", name=hostile, system=membership.board.system
    )
    Membership.objects.filter(pk=membership.pk).update(person=person, label=hostile)
    rows = read_csv(analyst.get("/api/v1/memberships/", {"format": "csv"}))
    row = next(r for r in rows if int(r["id"]) == membership.pk)
    assert row["person.name"] == "'" + hostile
    assert row["label"] == "'" + hostile
    assert neutralise(-3.5) == "-3.5"  # numbers stay numbers


def test_token_is_issued_used_and_revoked(api_as):
    user = api_as("analyst").user
    user.set_password("a-long-enough-password")
    user.save()
    anonymous = APIClient()
    credentials = {"username": user.username, "password": "a-long-enough-password"}
    response = anonymous.post("/api/v1/auth/token/", {**credentials, "name": "nightly upload"})
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    assert (body["name"], body["prefix"]) == ("nightly upload", key[:8])
    assert dt.datetime.fromisoformat(body["expires"]) > timezone.now()
    # Each POST is a new token: the first keeps working.
    second = anonymous.post("/api/v1/auth/token/", credentials).json()
    assert second["token"] != key and second["name"].startswith("API token ")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/places/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/places/").status_code == 401
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert other.get("/api/v1/places/").status_code == 200


def test_wrong_password_gets_no_token(api_as):
    user = api_as("analyst").user
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": "wrong"}
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_expired_token_is_refused(api_as, settings):
    client = api_as("analyst")
    created = timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS + 1)
    ApiToken.objects.filter(pk=client.token.pk).update(
        created=created, expires=created + dt.timedelta(days=settings.API_TOKEN_DAYS)
    )
    response = client.get("/api/v1/places/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_of_an_inactive_user_or_a_wrong_key_is_refused(api_as):
    client = api_as("analyst")
    type(client.user).objects.filter(pk=client.user.pk).update(is_active=False)
    assert client.get("/api/v1/places/").status_code == 401
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = stranger.get("/api/v1/places/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_token_lookup_brings_the_user_and_role_in_one_query(api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from icsportal.api.authentication import ExpiringTokenAuthentication
    from icsportal.roles import user_role

    client = api_as("secretary_a")
    key = client.token_key
    # The first use is written (at most once a minute); the lookups after it are one query.
    ExpiringTokenAuthentication().authenticate_credentials(key)
    with CaptureQueriesContext(connection) as ctx:
        user, token = ExpiringTokenAuthentication().authenticate_credentials(key)
        assert user_role(user) == "board_secretary"
        assert (user.pk, user.username, user.is_superuser) == (
            client.user.pk,
            client.user.username,
            False,
        )
        assert token.pk == client.token.pk and token.user is user
    assert len(ctx.captured_queries) == 1
    # a user with no grant: the role is none, with no further query
    bare = api_as("no_role")
    bare_key = bare.token_key
    ExpiringTokenAuthentication().authenticate_credentials(bare_key)
    with CaptureQueriesContext(connection) as ctx:
        user, _ = ExpiringTokenAuthentication().authenticate_credentials(bare_key)
        assert user_role(user) is None
    assert len(ctx.captured_queries) == 1


def test_anonymous_read_can_be_opened_by_setting(settings):
    settings.API_ANONYMOUS_READ = True
    assert APIClient().get("/api/v1/places/").status_code == 200
    assert APIClient().post("/api/v1/observations/bulk/", [], format="json").status_code in (
        401,
        403,
    )


def popolo_validator(name: str) -> jsonschema.Draft3Validator:
    store = {}
    for path in POPOLO.glob("*.json"):
        schema = json.loads(path.read_text())
        store[schema.get("id", "").rstrip("#")] = schema
        store[path.name] = schema
    schema = json.loads((POPOLO / name).read_text())
    resolver = jsonschema.RefResolver(base_uri=schema["id"], referrer=schema, store=store)
    return jsonschema.Draft3Validator(schema, resolver=resolver)


def test_popolo_export_validates_against_the_popolo_schemas(analyst):
    board = Board.objects.get(slug="warwickshire-north-place-executive")
    meeting = Meeting.objects.create(
        board=board,
        title="June meeting",
        start=dt.datetime(2026, 6, 10, 14, 0, tzinfo=dt.UTC),
        end=dt.datetime(2026, 6, 10, 16, 0, tzinfo=dt.UTC),
        location="Nuneaton Town Hall",
    )
    AgendaItem.objects.create(meeting=meeting, number=1, title="Welcome", purpose="information")
    AgendaItem.objects.create(
        meeting=meeting, number=2, title="Part II", purpose="decision", is_public=False
    )
    Meeting.objects.create(board=board, start=meeting.start, is_public=False)
    # A board replaced on a date: its dissolution and its successor's founding.
    Board.objects.filter(key="board_stp_board").update(valid_to=dt.date(2019, 8, 31))
    Board.objects.filter(key="board_peg").update(valid_from=dt.date(2019, 9, 1))
    response = analyst.get("/api/v1/export/popolo.json")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"organizations", "persons", "memberships", "events"}
    for key, schema in (
        ("organizations", "organization.json"),
        ("persons", "person.json"),
        ("memberships", "membership.json"),
        ("events", "event.json"),
    ):
        validator = popolo_validator(schema)
        for item in data[key]:
            errors = list(validator.iter_errors(item))
            assert not errors, (item, [e.message for e in errors])
    ids = {o["id"] for o in data["organizations"]}
    assert "board/warwickshire-north-place-executive" in ids
    by_id = {o["id"]: o for o in data["organizations"]}
    assert by_id["board/partnership-executive-group"]["founding_date"] == "2019-09-01"
    stp = by_id["board/better-health-better-care-better-value-board"]
    assert stp["dissolution_date"] == "2019-08-31" and "founding_date" not in stp
    for o in data["organizations"]:
        assert o.get("parent_id") in (None, *ids)
    seats = [
        m
        for m in data["memberships"]
        if m["organization_id"] == "board/warwickshire-north-place-executive"
    ]
    assert {m["on_behalf_of_id"] for m in seats} >= {
        "organisation/coventry-and-warwickshire/org_geh",
        "organisation/coventry-and-warwickshire/org_cwpt",
    }
    assert all("person_id" not in m for m in seats)  # the source names no one
    chair = next(
        m
        for m in data["memberships"]
        if m.get("person_id") == "person/coventry-and-warwickshire/person_andrew_hardy"
    )
    assert chair["role"] == "chair"
    peg = next(o for o in data["organizations"] if o["id"] == "board/programme-delivery-group")
    assert peg["parent_id"] == "board/partnership-executive-group"
    # An analyst reads public business only: the private meeting and item are not exported.
    [event] = data["events"]
    assert event["start_date"] == "2026-06-10T15:00:00+01:00"
    assert event["end_date"] == "2026-06-10T17:00:00+01:00"
    assert event["organization_id"] == "board/warwickshire-north-place-executive"
    assert event["organization_id"] in ids
    assert [c["name"] for c in event["children"]] == ["1. Welcome"]


def test_popolo_validator_rejects_a_broken_item():
    errors = list(popolo_validator("membership.json").iter_errors({"start_date": 12}))
    assert errors
