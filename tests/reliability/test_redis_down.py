"""Redis down (broker and cache at a closed port): the portal serves from PostgreSQL, and an
upload's recompute request waits in the database until the broker returns; nothing hangs."""

import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from governance.services import role_grant
from metrics.models import Observation, ScopeRecompute, Snapshot
from metrics.outbox import recompute_enqueue, recompute_request, scope_recompute
from metrics.snapshots import latest_snapshot
from metrics.tasks import recompute_requests_drain
from places.models import Place, System
from tests.places.dashboard_data import build_dashboards

from .conftest import CLOSED_REDIS, broker_at, silent_server, timed

UPLOAD = [
    {"metric": "bcf-nea", "subject_type": "place", "subject": "rugby", "period": "2019/20",
     "value": 4321},
]  # fmt: skip
CSV = b"metric,subject_type,subject,period,value\nbcf-nea,place,rugby,2020/21,4322\n"


@pytest.fixture
def redis_down(settings, db):
    """Broker, result store and cache all at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = CLOSED_REDIS
    with broker_at(CLOSED_REDIS) as app:
        yield app


def test_pages_api_reads_and_sign_in_answer_from_the_database(redis_down, client):
    system = build_dashboards()
    rugby = Place.objects.get(slug="rugby")
    user = role_grant(username="redis-down-reader", role="commissioner").user
    user.set_password("a long enough password")
    user.save(update_fields=["password"])

    with timed() as took:
        signed_in = client.post(
            "/accounts/login/",
            {"username": "redis-down-reader", "password": "a long enough password"},
        )
    assert signed_in.status_code == 302, signed_in.content
    assert took[0] < 3
    # The cache is at the closed port too: anything that used it would fail here.
    with pytest.raises(Exception, match="6390"):
        cache.get("probe")
    for path in ("/", f"/places/{rugby.slug}/", "/metrics/", "/metrics/bcf-nea/"):
        with timed() as took:
            response = client.get(path)
        assert response.status_code == 200, path
        assert took[0] < 3, (path, took)
    snapshot = latest_snapshot(system_id=system.pk)
    api = client.get("/api/v1/dashboards/system/")
    assert api.status_code == 200
    assert api.json()["snapshot"]["id"] == snapshot.pk

    with timed() as took:
        health = client.get("/healthz")
    # The portal serves, so it is not unhealthy; the body says what is down.
    assert health.status_code == 200
    assert health.json()["broker"] == "unavailable"
    assert health.json()["database"] == "ok"
    assert took[0] < 3


@pytest.mark.parametrize("kind", ["json", "file"])
def test_an_upload_waits_in_the_database_and_answers_at_once(
    kind, redis_down, analyst_api, django_capture_on_commit_callbacks
):
    system = build_dashboards()
    rugby = Place.objects.get(slug="rugby")
    before = latest_snapshot(system_id=system.pk, place_id=rugby.pk)
    with timed() as took, django_capture_on_commit_callbacks(execute=True):
        if kind == "json":
            response = analyst_api.post("/api/v1/observations/bulk/", UPLOAD, format="json")
        else:
            upload = SimpleUploadedFile("rugby.csv", CSV, content_type="text/csv")
            response = analyst_api.post(
                "/api/v1/observations/bulk/", {"file": upload}, format="multipart"
            )
    assert response.status_code == 201, response.content
    assert took[0] < 3, took
    assert Observation.objects.filter(series__place=rugby, value__in=(4321, 4322)).count() == 1
    # The request is in the database, never handed to the broker; readers keep the snapshot.
    waiting = ScopeRecompute.objects.get(scope_key=f"place:{rugby.pk}")
    assert waiting.requested_at is not None and waiting.enqueued_at is None
    assert latest_snapshot(system_id=system.pk, place_id=rugby.pk) == before


def test_a_broker_that_accepts_and_never_answers_does_not_hang_an_upload(
    analyst_api, django_capture_on_commit_callbacks
):
    build_dashboards()
    with silent_server() as port, broker_at(f"redis://127.0.0.1:{port}/0"):
        with timed() as took, django_capture_on_commit_callbacks(execute=True):
            response = analyst_api.post("/api/v1/observations/bulk/", UPLOAD, format="json")
    assert response.status_code == 201
    assert took[0] < 3, took
    assert ScopeRecompute.objects.filter(requested_at__isnull=False, enqueued_at=None).exists()


def test_a_request_made_while_a_build_runs_is_kept_for_the_next_build(monkeypatch, db):
    system = System.objects.get()
    rugby = Place.objects.get(slug="rugby")
    recompute_request(scopes=[(system.pk, rugby.pk)])
    from metrics import outbox

    build = outbox.snapshot_build

    def build_while_an_upload_commits(**scope):
        snapshot = build(**scope)
        recompute_request(scopes=[(system.pk, rugby.pk)])  # committed during the build
        return snapshot

    monkeypatch.setattr(outbox, "snapshot_build", build_while_an_upload_commits)
    scope_recompute(system_id=system.pk, place_id=rugby.pk)
    row = ScopeRecompute.objects.get(scope_key=f"place:{rugby.pk}")
    assert row.requested_at is not None, "the later request must survive the earlier build"
    assert row.completed_at is not None

    monkeypatch.setattr(outbox, "snapshot_build", build)
    scope_recompute(system_id=system.pk, place_id=rugby.pk)
    assert ScopeRecompute.objects.get(scope_key=f"place:{rugby.pk}").requested_at is None


def test_enqueueing_with_the_broker_down_keeps_every_request_and_returns_quickly(redis_down, db):
    scopes = [(s.system_id, s.pk) for s in Place.objects.all()]
    recompute_request(scopes=scopes)
    with timed() as took:
        sent = recompute_enqueue()
    assert sent == 0 and took[0] < 3
    assert ScopeRecompute.objects.filter(requested_at__isnull=False, enqueued_at=None).count() == 4


@pytest.mark.worker
def test_requests_that_waited_are_processed_once_the_broker_returns(celery_workers):
    from django.core.management import call_command

    call_command("load_cw_ics", verbosity=0)
    call_command("generate_synthetic", verbosity=0)
    call_command("recompute_snapshots", verbosity=0)
    system = System.objects.get()
    rugby = Place.objects.get(slug="rugby")
    before = latest_snapshot(system_id=system.pk, place_id=rugby.pk)
    series = rugby.series.get()
    rows = [
        {"metric": series.metric.code, "subject_type": "place", "subject": "rugby",
         "period": o.period_start.strftime("%Y-%m"), "value": 5.0}
        for o in series.observations.order_by("-period_start")[:1]
    ]  # fmt: skip
    user = role_grant(username="outbox-analyst", role="analyst").user
    client = Client()
    client.force_login(user)
    with broker_at(CLOSED_REDIS):
        with timed() as took:
            response = client.post(
                "/api/v1/observations/bulk/", rows, content_type="application/json"
            )
        assert response.status_code == 201, response.content
        assert took[0] < 3
    assert ScopeRecompute.objects.filter(scope_key=f"place:{rugby.pk}", enqueued_at=None).exists()
    assert latest_snapshot(system_id=system.pk, place_id=rugby.pk) == before

    # The broker is back (celery_workers points the app at it): the beat's drain hands over.
    celery_workers.start()
    assert recompute_requests_drain.delay().get(timeout=30) == 1
    deadline = time.monotonic() + 60
    while ScopeRecompute.objects.filter(requested_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the waiting request was not processed"
        time.sleep(0.2)
    newest = latest_snapshot(system_id=system.pk, place_id=rugby.pk)
    assert newest != before
    assert newest.summaries.get().points["recent"]["values"][-1] == 5.0
    assert Snapshot.objects.filter(scope_key=f"place:{rugby.pk}", status="published").count() == 2
