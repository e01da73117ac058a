"""The floor of the API benchmark: plain Django views beside the portal's own URLs.

Each view answers one API list the way the API does — the same token check, the same SQL
(run with a cursor), the same JSON (``json.dumps``) — with no framework in between: no DRF
request, negotiation, authentication classes, filter set, paginator, serializer or renderer.
They serve what ``bench_api.py`` asks for (the first page, the filters it sends) and live under
``/floor/`` at the API's own paths, so that their links differ from the API's only by that
prefix. Selected with ``DJANGO_SETTINGS_MODULE=bench.settings_bench``; never part of the portal.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from urllib import parse

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from icsportal.models import key_hash
from icsportal.urls import handler403, handler404, handler500  # noqa: F401

# The live token with the key's hash, its user and the user's portal role, in one query.
TOKEN_SQL = (
    "SELECT t.expires, u.is_active, r.role FROM icsportal_apitoken t"
    " JOIN auth_user u ON u.id = t.user_id"
    " LEFT JOIN governance_rolegrant r ON r.user_id = u.id"
    " WHERE t.key_hash = %s AND t.revoked_at IS NULL"
)
SOURCE_COLUMNS = "d.key, d.short_title"


def _json(data, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return HttpResponse(body.encode(), status=status, content_type="application/json")


def _refused(request) -> HttpResponse | None:
    """401 without a valid, unexpired token of an active user; 403 without a portal role."""
    scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme != "Token" or not key:
        return _json({"detail": "Authentication credentials were not provided."}, 401)
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_SQL, [key_hash(key.strip())])
        row = cursor.fetchone()
    if row is None or not row[1]:
        return _json({"detail": "Invalid token."}, 401)
    if row[0] <= timezone.now():
        return _json({"detail": "Token has expired; request a new one."}, 401)
    if row[2] is None:
        return _json({"detail": "Your account has no portal role."}, 403)
    return None


def _datetime(value: dt.datetime | None) -> str | None:
    """As a serializer's DateTimeField writes it: local time, ISO 8601, UTC as ``Z``."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _source(document_id, key, short_title, line) -> dict:
    if document_id is None:
        return {"document": None, "title": None, "line": None, "citation": ""}
    citation = f"{short_title}, line {line}" if line else short_title
    return {"document": key, "title": short_title, "line": line, "citation": citation}


def _replace_query(url: str, key: str, value) -> str:
    scheme, netloc, path_, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    params[key] = [str(value)]
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path_, query, fragment))


def _int(request, name: str, default: int, maximum: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        return default
    return min(value, maximum) if value > 0 else default


MEMBERSHIP_SQL = (
    "SELECT m.id, b.id, b.slug, b.name, p.id, p.key, p.name, m.person_not_named,"
    " o.id, o.key, o.name, o.abbreviation, m.role, m.label, m.voting, m.start_date,"
    " m.end_date, m.end_reason, m.note, m.version, m.modified_at,"
    f" m.source_document_id, {SOURCE_COLUMNS}, m.source_line"
    " FROM governance_membership m"
    " INNER JOIN governance_board b ON m.board_id = b.id"
    " LEFT OUTER JOIN governance_person p ON m.person_id = p.id"
    " LEFT OUTER JOIN governance_organisation o ON m.on_behalf_of_id = o.id"
    " LEFT OUTER JOIN places_document d ON m.source_document_id = d.id"
    " ORDER BY b.name ASC, m.role ASC, m.id ASC LIMIT %s OFFSET %s"
)


@login_not_required
def memberships(request):
    """Page-number pages of memberships in the API's default order."""
    refused = _refused(request)
    if refused:
        return refused
    size = _int(request, "page_size", 50, 500)
    page = _int(request, "page", 1, 10**9)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM governance_membership")
        count = cursor.fetchone()[0]
        cursor.execute(MEMBERSHIP_SQL, [size, (page - 1) * size])
        rows = cursor.fetchall()
    results = []
    for r in rows:
        if r[4] is not None:
            holder = r[6]
        else:
            holder = "not named in the source" if r[7] else "vacant"
        results.append(
            {
                "id": r[0],
                "board": {"id": r[1], "slug": r[2], "name": r[3]},
                "person": {"id": r[4], "key": r[5], "name": r[6]} if r[4] is not None else None,
                "holder": holder,
                "on_behalf_of": (
                    {"id": r[8], "key": r[9], "name": r[10], "abbreviation": r[11]}
                    if r[8] is not None
                    else None
                ),
                "role": r[12],
                "label": r[13],
                "voting": r[14],
                "start_date": _date(r[15]),
                "end_date": _date(r[16]),
                "end_reason": r[17],
                "note": r[18],
                "version": r[19],
                "modified_at": _datetime(r[20]),
                "source": _source(r[21], r[22], r[23], r[24]),
            }
        )
    url = request.build_absolute_uri()
    pages = max(1, -(-count // size))
    if page == 1:
        previous = None
    elif page == 2:
        scheme, netloc, path_, query, fragment = parse.urlsplit(url)
        params = [(k, v) for k, v in parse.parse_qsl(query, keep_blank_values=True) if k != "page"]
        previous = parse.urlunsplit((scheme, netloc, path_, parse.urlencode(sorted(params)), ""))
    else:
        previous = _replace_query(url, "page", page - 1)
    return _json(
        {
            "count": count,
            "next": _replace_query(url, "page", page + 1) if page < pages else None,
            "previous": previous,
            "results": results,
        }
    )


# A series' subject: the system, the Place or the organisation, whichever it has.
SERIES_COLUMNS = (
    "s.id, mt.code, s.subject_type, sy.slug, sy.name, pl.slug, pl.name,"
    " og.abbreviation, og.key, og.name"
)
SERIES_JOINS = (
    " INNER JOIN metrics_metric mt ON s.metric_id = mt.id"
    " LEFT OUTER JOIN places_system sy ON s.system_id = sy.id"
    " LEFT OUTER JOIN places_place pl ON s.place_id = pl.id"
    " LEFT OUTER JOIN governance_organisation og ON s.organisation_id = og.id"
)
# Per subject type: the subject's table and the series' column that points to it.
SUBJECT_SQL = {"system": ("places_system", "system_id"), "place": ("places_place", "place_id")}
# The metric's key, the subject's existence and the one series of both, in one query, as the
# API's filters ask it: the series' key when exactly one series has that metric and subject.
CHECK_SQL = (
    "SELECT m.id, EXISTS(SELECT 1 FROM {table} WHERE slug = %s),"
    " (SELECT s.id FROM metrics_series s JOIN {table} t ON s.{column} = t.id"
    "  WHERE t.slug = %s AND s.metric_id = m.id AND s.subject_type = %s ORDER BY 1 LIMIT 1),"
    " (SELECT s.id FROM metrics_series s JOIN {table} t ON s.{column} = t.id"
    "  WHERE t.slug = %s AND s.metric_id = m.id AND s.subject_type = %s"
    "  ORDER BY 1 LIMIT 1 OFFSET 1)"
    " FROM metrics_metric m WHERE m.code = %s LIMIT 1"
)


def _series(r) -> dict:
    """``r``: the SERIES_COLUMNS of one row."""
    if r[3] is not None:
        slug, name = r[3], r[4]
    elif r[5] is not None:
        slug, name = r[5], r[6]
    else:
        slug, name = r[7] or r[8], r[9]
    return {"id": r[0], "metric": r[1], "subject_type": r[2], "subject": slug, "subject_name": name}


OBSERVATION_SQL = (
    f"SELECT o.id, o.period_start, o.period_end, o.value, o.provenance, o.batch_id,"
    f" o.as_written, o.note, o.modified_at, o.source_document_id, {SOURCE_COLUMNS},"
    f" o.source_line, {SERIES_COLUMNS}, o.numerator, o.denominator"
    " FROM metrics_observation o INNER JOIN metrics_series s ON o.series_id = s.id"
    f"{SERIES_JOINS}"
    " LEFT OUTER JOIN places_document d ON o.source_document_id = d.id"
    " WHERE o.series_id = %s"
    " ORDER BY o.series_id ASC, o.period_start ASC, o.id ASC LIMIT %s"
)


@login_not_required
def observations(request):
    """The first cursor page of one series' observations (metric, subject type and subject)."""
    refused = _refused(request)
    if refused:
        return refused
    params = request.GET
    kind = params.get("subject_type")
    if kind not in SUBJECT_SQL or "cursor" in params:
        return _json({"detail": "The floor serves the first page of a system or Place."}, 400)
    size = _int(request, "page_size", 100, 1000)
    with connection.cursor() as cursor:
        table, column = SUBJECT_SQL[kind]
        subject = params.get("subject")
        cursor.execute(
            CHECK_SQL.format(table=table, column=column),
            [subject, subject, kind, subject, kind, params.get("metric")],
        )
        metric = cursor.fetchone()
        if metric is None or not metric[1]:
            return _json({"detail": "Unknown metric or subject."}, 400)
        if metric[2] is None or metric[3] is not None:
            return _json({"detail": "The floor serves a metric and subject of one series."}, 400)
        cursor.execute(OBSERVATION_SQL, [metric[2], size + 1])
        rows = cursor.fetchall()
    page = rows[:size]
    results = [
        {
            "id": r[0],
            "series": _series(r[13:-2]),
            "period_start": _date(r[1]),
            "period_end": _date(r[2]),
            "value": r[3],
            "numerator": r[-2],
            "denominator": r[-1],
            "provenance": r[4],
            "synthetic": r[4] == "synthetic",
            "batch": r[5],
            "as_written": r[6],
            "note": r[7],
            "modified_at": _datetime(r[8]),
            "source": _source(r[9], r[10], r[11], r[12]),
        }
        for r in page
    ]
    following = None
    if len(rows) > size:
        # A cursor positions on the first ordering field (the series) plus an offset.
        compare, offset, position = str(rows[-1][13]), 0, None
        for r in reversed(page):
            if str(r[13]) != compare:
                position = str(r[13])
                break
            offset += 1
        else:
            offset = size
        tokens = {"o": str(offset)} if offset else {}
        if position is not None:
            tokens["p"] = position
        cursor_text = base64.b64encode(parse.urlencode(tokens).encode()).decode()
        following = _replace_query(request.build_absolute_uri(), "cursor", cursor_text)
    return _json({"next": following, "previous": None, "results": results})


SUMMARY_SQL = (
    "SELECT ss.latest_period, ss.latest_value, ss.target_value, ss.target_period_label,"
    " ss.rag, ss.variation, ss.assurance, ss.mean, ss.lower, ss.upper, ss.point_count,"
    " ss.provisional, ss.provenance, mt.short_name, mt.unit, mt.polarity, mt.is_synthetic,"
    f" {SERIES_COLUMNS}"
    " FROM metrics_seriessummary ss INNER JOIN metrics_series s ON ss.series_id = s.id"
    f"{SERIES_JOINS}"
    " WHERE ss.snapshot_id = %s ORDER BY mt.category ASC, mt.code ASC, ss.series_id ASC"
)


@login_not_required
def dashboard(request, place_slug=None):
    """The latest published snapshot of a Place or of the system: every series' summary."""
    refused = _refused(request)
    if refused:
        return refused
    wanted = request.GET.get("system")
    with connection.cursor() as cursor:
        if wanted:
            cursor.execute("SELECT id, slug, name FROM places_system WHERE slug = %s", [wanted])
        else:
            cursor.execute("SELECT id, slug, name FROM places_system ORDER BY name ASC LIMIT 1")
        system = cursor.fetchone()
        if system is None:
            return _json({"detail": "No system is loaded."}, 404)
        place = None
        if place_slug is not None:
            cursor.execute(
                "SELECT id, slug, name FROM places_place WHERE slug = %s AND system_id = %s",
                [place_slug, system[0]],
            )
            place = cursor.fetchone()
            if place is None:
                return _json({"detail": "No Place matches the given query."}, 404)
        scope = f"place:{place[0]}" if place else f"system:{system[0]}"
        cursor.execute(
            "SELECT id, published_at, scope_key FROM metrics_snapshot"
            " WHERE scope_key = %s AND status = 'published'"
            " ORDER BY published_at DESC, id DESC LIMIT 1",
            [scope],
        )
        snapshot = cursor.fetchone()
        if snapshot is None:
            return _json({"detail": "No snapshot has been published for this dashboard yet."}, 404)
        cursor.execute(SUMMARY_SQL, [snapshot[0]])
        rows = cursor.fetchall()
    published = snapshot[1].isoformat()
    series = [
        {
            "series": _series(r[17:]),
            "metric_name": r[13],
            "unit": r[14],
            "polarity": r[15],
            "latest_period": _date(r[0]),
            "latest_value": r[1],
            "target_value": r[2],
            "target_period_label": r[3],
            "rag": r[4],
            "variation": r[5],
            "assurance": r[6],
            "mean": r[7],
            "lower": r[8],
            "upper": r[9],
            "point_count": r[10],
            "provisional": r[11],
            "provenance": r[12],
            "synthetic": r[12] == "synthetic" or r[16],
        }
        for r in rows
    ]
    return _json(
        {
            "snapshot": {
                "id": snapshot[0],
                "published_at": published[:-6] + "Z" if published.endswith("+00:00") else published,
                "scope": snapshot[2],
            },
            "place": {"slug": place[1], "name": place[2]} if place else None,
            "system": {"slug": system[1], "name": system[2]},
            "series": series,
        }
    )


urlpatterns = [
    path("floor/api/v1/memberships/", memberships, name="floor_memberships"),
    path("floor/api/v1/observations/", observations, name="floor_observations"),
    path("floor/api/v1/dashboards/system/", dashboard, name="floor_dashboard_system"),
    path("floor/api/v1/dashboards/<slug:place_slug>/", dashboard, name="floor_dashboard_place"),
    path("", include("icsportal.urls")),
]
