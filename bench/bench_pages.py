"""Commissioner page benchmark: server time of the Place dashboard, the system overview and a
metric page at England scale, each against a floor page that renders the same rows.

Run as ``python bench/bench_pages.py [--requests N]`` with PostgreSQL on 127.0.0.1. It uses the
England database of ``bench/england.py`` (loaded there if missing), signs in a commissioner and,
for each page, in this one process:

* the portal: ``N`` GET requests through Django's full request cycle (every middleware, the
  database session, the user and role, the view, its selectors and templates) with
  ``django.test.Client``, after a warm-up; server time is the wall time of ``Client.get``;
* the floor: ``N`` GET requests of a floor page through the same request cycle (so the session,
  user and role cost the same). The floor's rows were read and formatted before timing, with the
  portal's own selectors and SVG tags: every displayed field is already a Python string (values,
  periods, targets, RAG words, findings, icons, sparklines, charts). The floor view only joins
  them into HTML with f-strings: the same number of rows and the same displayed fields as the
  portal page's main sections (listed in ``FLOOR_SECTIONS``), in a bare HTML page.

The query count of each page is taken in one extra request under ``CaptureQueriesContext``
(every statement the database receives, transaction control included).

The section it appends to ``bench/RESULTS.md`` gives p50, p95 and mean for both, the ratio of
the p95s, the query counts, the HTML bytes, and PASS/FAIL against: p95 <= 100 ms, p95 <= 4x the
floor's p95, queries <= 8, HTML <= 300 KB.

``--bytes-only`` times nothing: it renders every commissioner page once (the overview, the
concern list, a Place and its metric pages, the boards list, the largest board's page, the
metrics list, a metric page, the risk register, the commitments) and reports each page's HTML
bytes against the 300 KB target; ``--json FILE`` saves them and ``--before FILE`` adds a column
of the bytes saved by an earlier run (another commit's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
import types
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from england import bench_lock, ensure_england  # noqa: E402

TARGET_P95_MS = 100.0
TARGET_RATIO = 4.0
TARGET_QUERIES = 8
# Issue 19: no page over 300 KB of HTML at England scale.
TARGET_BYTES = 300 * 1024
PLACE_SLUG = "eng-s01-p1"
BENCH_USER = "bench-commissioner"

FLOOR_SECTIONS = {
    "place": "every metric tile (metric, subject, synthetic label, value, unit, period, target,"
    " RAG, variation and assurance icons, sparkline, finding) and every board card (name,"
    " status, chair, seat count, each member's line)",
    "overview": "every Place card (name, population, the nine counts), every row of the"
    " matrix's first page of 50 metrics (metric, subject, synthetic label, value, period,"
    " target, RAG, the two icons, sparkline), and the first 20 of the concern list",
    "metric": "every chart of the default system's subjects (subject, summary line, finding,"
    " the SVG chart) with its data table (period, value, mean, limits, target, point type,"
    " source per row) and the target table",
}


# -- floors: rows formatted before timing, joined into HTML in the request -------------------------


def _place_floor_rows(place) -> dict:
    from assurance.selectors import (
        place_boards,
        place_metrics,
        place_snapshot_ids,
        with_snapshot_ids,
    )
    from metrics.templatetags.spc_charts import assurance_icon, spc_sparkline, variation_icon
    from places.models import Place

    place = with_snapshot_ids(Place.objects.filter(pk=place.pk)).get()
    dashboard = place_metrics(place=place, snapshot_ids=place_snapshot_ids(place))
    dashboard["boards"] = place_boards(place=place)
    tiles = [
        (
            escape(r["chart_url"]),
            escape(r["metric_short_name"]),
            escape(r["subject"]),
            "synthetic (illustrative)" if r["synthetic"] else "",
            escape(r["value"]),
            escape(r["unit"]),
            escape(r["period"]),
            escape(r["target"] or "none"),
            escape(r["rag_label"]),
            str(variation_icon(r["variation"])) + str(assurance_icon(r["assurance"])),
            str(spc_sparkline(r["spark"])) if r["has_trend"] else "",
            escape(r["finding"]),
        )
        for r in dashboard["rows"]
    ]
    boards = [
        (
            escape(b["url"]),
            escape(b["name"]),
            escape(b["status"]),
            escape(b["chair"]),
            str(b["member_count"]),
            [escape(f"{m['who']}, for {m['organisation']} — {m['role']}") for m in b["members"]],
        )
        for b in dashboard["boards"]
    ]
    return {"tiles": tiles, "boards": boards}


def _overview_floor_rows() -> dict:
    from assurance.selectors import system_dashboard
    from metrics.templatetags.spc_charts import assurance_icon, spc_sparkline, variation_icon

    dashboard = system_dashboard()
    cards = [
        (
            escape(c["url"]),
            escape(c["name"]),
            escape(c["population"]["value"]) if c["population"] else "",
            [str(v) for v in c["counts"].values()],
        )
        for c in dashboard["cards"]
    ]
    rows = [
        (
            escape(r["chart_url"]),
            escape(r["metric_short_name"]),
            escape(r["subject"]),
            "synthetic (illustrative)" if r["synthetic"] else "",
            escape(r["value"]),
            escape(r["period"]),
            escape(r["target"] or "None"),
            escape(r["rag_label"]),
            str(variation_icon(r["variation"])),
            str(assurance_icon(r["assurance"])),
            str(spc_sparkline(r["spark"])) if r["has_trend"] else "—",
        )
        # the overview's first page of the matrix, as the page shows it
        for r in dashboard["pages"][0]
    ]
    concerns = [
        (escape(r["chart_url"]), escape(r["metric_short_name"]), escape(r["subject"]))
        for r in dashboard["concerns_shown"]
    ]
    return {"cards": cards, "rows": rows, "concerns": concerns}


def _metric_floor_rows(metric, system) -> dict:
    from metrics.selectors import metric_charts
    from metrics.templatetags.spc_charts import spc_chart

    # the charts of the system the page shows by default (the first by name)
    detail = metric_charts(metric=metric, system_id=system.pk)
    charts = [
        (
            escape(c["subject"]),
            escape(f"{c.get('value', '')} ({c.get('period', '')}), target {c.get('target', '')}"),
            escape(c["desc"]),
            str(spc_chart(c)),
            [
                tuple(
                    escape(str(row[k]))
                    for k in ("period", "value", "mean", "lower", "upper", "target", "type")
                )
                + (escape(row["source"]),)
                for row in c["rows"]
            ],
        )
        for c in detail["charts"]
    ]
    targets = [
        (escape(t["subject"]), escape(t["period"]), escape(t["value"]), escape(t["source"]))
        for t in detail["target_rows"]
    ]
    return {"charts": charts, "targets": targets}


def _page(body: str):
    from django.http import HttpResponse

    return HttpResponse(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Floor</title></head>'
        f"<body><main>{body}</main></body></html>"
    )


def floor_place(request, data: dict):
    tiles = "".join(
        f'<li><h4><a href="{t[0]}">{t[1]}</a></h4><p>{t[2]}</p><p>{t[3]}</p>'
        f"<p><strong>{t[4]}</strong> {t[5]}</p><p>{t[6]}</p><p>Target: {t[7]} <strong>{t[8]}"
        f"</strong></p><p>{t[9]}{t[10]}</p><p>{t[11]}</p></li>"
        for t in data["tiles"]
    )
    boards = "".join(
        f'<div><h3><a href="{b[0]}">{b[1]}</a></h3><dl><dt>Status</dt><dd>{b[2]}</dd><dt>Chair'
        f"</dt><dd>{b[3]}</dd><dt>Seats</dt><dd>{b[4]}</dd></dl><ul>"
        + "".join(f"<li>{m}</li>" for m in b[5])
        + "</ul></div>"
        for b in data["boards"]
    )
    return _page(f"<h2>Metrics</h2><ul>{tiles}</ul><h2>Boards</h2>{boards}")


def floor_overview(request, data: dict):
    concerns = "".join(f'<li><a href="{c[0]}">{c[1]} — {c[2]}</a></li>' for c in data["concerns"])
    cards = "".join(
        f'<li><h3><a href="{c[0]}">{c[1]}</a></h3><p>Population: {c[2]}</p><ul>'
        + "".join(f"<li>{n}</li>" for n in c[3])
        + "</ul></li>"
        for c in data["cards"]
    )
    rows = "".join(
        f'<tr><th><a href="{r[0]}">{r[1]}</a> {r[2]}{r[3]}</th><td>{r[4]} {r[5]}</td>'
        f"<td>{r[6]}</td><td>{r[7]}</td><td>{r[8]}</td><td>{r[9]}</td><td>{r[10]}</td></tr>"
        for r in data["rows"]
    )
    return _page(f"<ul>{concerns}</ul><ul>{cards}</ul><table><tbody>{rows}</tbody></table>")


def floor_metric(request, data: dict):
    charts = "".join(
        f"<section><h3>{c[0]}</h3><p>{c[1]}</p><p>{c[2]}</p>{c[3]}<table><tbody>"
        + "".join(
            f"<tr><th>{r[0]}</th><td>{r[1]}</td><td>{r[2]}</td><td>{r[3]}</td><td>{r[4]}</td>"
            f"<td>{r[5]}</td><td>{r[6]}</td><td>{r[7]}</td></tr>"
            for r in c[4]
        )
        + "</tbody></table></section>"
        for c in data["charts"]
    )
    targets = "".join(
        f"<tr><td>{t[0]}</td><td>{t[1]}</td><td>{t[2]}</td><td>{t[3]}</td></tr>"
        for t in data["targets"]
    )
    return _page(f"{charts}<table><tbody>{targets}</tbody></table>")


# -- measuring -------------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples``, linearly interpolated."""
    ordered = sorted(samples)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(client, url: str, n: int, warmup: int) -> list[float]:
    """Server times (ms) of ``n`` GETs of ``url`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, url
    return samples


def query_count(client, url: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), len(response.content)


def summary(samples: list[float]) -> dict:
    return {
        "p50": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "mean": statistics.fmean(samples),
    }


def bytes_verdict(size: int) -> str:
    return "PASS" if size <= TARGET_BYTES else "FAIL"


def byte_pages() -> list[tuple[str, str]]:
    """The pages ``--bytes-only`` measures, as (label, URL), on the England database."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from governance.models import Board
    from metrics.models import Metric
    from places.models import Place

    place = Place.objects.get(slug=PLACE_SLUG)
    # The board with the most metrics (then members): the longest board page.
    board = (
        Board.objects.annotate(
            metric_count=Count("metrics", distinct=True),
            member_count=Count("memberships", filter=Q(memberships__end_date=None), distinct=True),
        )
        .order_by("-metric_count", "-member_count", "name")
        .first()
    )
    metric = Metric.objects.order_by("code").first()
    place_url = place.get_absolute_url()
    pages = [
        ("System overview", "/"),
        ("System overview, matrix page 8", "/?page=8"),
        ("Concern list", reverse("assurance:concern_list")),
        (f"Place `{place.slug}`", place_url),
        (f"Place `{place.slug}` outcomes", reverse("assurance:place_outcomes", args=[place.slug])),
        (f"Place `{place.slug}` finance", reverse("assurance:place_finance", args=[place.slug])),
    ]
    try:
        metrics_url = reverse("assurance:place_metrics", args=[place.slug])
    except Exception:  # noqa: BLE001 - before the Place's metric pages existed
        metrics_url = None
    if metrics_url:
        # The category with the most metrics: the most pages of tiles.
        category = (
            Metric.objects.values_list("category", flat=True)
            .annotate(n=Count("pk"))
            .order_by("-n", "category")
            .first()
        )
        for page in (1, 2):
            pages.append(
                (
                    f"Place `{place.slug}` metrics, `{category}` page {page}",
                    f"{metrics_url}?category={category}&page={page}",
                )
            )
    pages += [
        ("Boards list", reverse("governance:board_list")),
        # every system's boards, the first page of 100
        ("Boards list, all systems", reverse("governance:board_list") + "?system="),
        (
            f"Board `{board.slug}` ({board.metric_count} metrics, {board.member_count} members)",
            board.get_absolute_url(),
        ),
        ("Metrics list", reverse("metrics:metric_list")),
        ("Metrics list, filtered (`q=eng`)", reverse("metrics:metric_list") + "?q=eng"),
        (f"Metric `{metric.code}`", metric.get_absolute_url()),
        (f"Metric `{metric.code}`, subjects page 2", metric.get_absolute_url() + "?page=2"),
        ("Risk register", reverse("assurance:risk_list")),
        ("Commitments", reverse("assurance:commitment_list")),
    ]
    return pages


def bytes_only(args) -> None:
    """Render each page of ``byte_pages()`` once and append their HTML bytes to the results."""
    import json

    ensure_england()
    from django.conf import settings
    from django.test import Client

    from governance.services import role_grant

    before = json.loads(args.before.read_text()) if args.before else {}
    user = role_grant(username=BENCH_USER, role="commissioner").user
    client = Client()
    client.force_login(user)
    sizes: dict[str, int] = {}
    rows = []
    with bench_lock():
        for label, url in byte_pages():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            sizes[url] = len(response.content)
            rows.append((label, url))
            print(f"{url}: {sizes[url]:,} bytes", flush=True)
    if args.json:
        args.json.write_text(json.dumps(sizes, indent=1) + "\n")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## Commissioner page bytes — {now}\n",
        f"Data: the synthetic England database (`{settings.DATABASES['default']['NAME']}`)."
        " `bench/bench_pages.py --bytes-only`: each page rendered once through Django's full"
        " request cycle (`django.test.Client`, signed in as a commissioner, production settings),"
        " the bytes of its HTML.",
        "",
        "| page | URL | HTML bytes before | HTML bytes | ≤ 300 KB |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for label, url in rows:
        old = f"{before[url]:,}" if url in before else "—"
        lines.append(
            f"| {label} | `{url}` | {old} | {sizes[url]:,} | {bytes_verdict(sizes[url])} |"
        )
    text = "\n".join(lines) + "\n"
    if not args.no_results:
        with args.results.open("a", encoding="utf-8") as handle:
            handle.write(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--bytes-only", action="store_true", help="only the pages' HTML bytes")
    parser.add_argument("--json", type=Path, help="with --bytes-only: save the bytes here")
    parser.add_argument("--before", type=Path, help="with --bytes-only: an earlier --json")
    parser.add_argument("--no-results", action="store_true", help="print, do not append")
    args = parser.parse_args()
    if args.bytes_only:
        bytes_only(args)
        return

    ensure_england()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    from governance.services import role_grant
    from metrics.models import Metric
    from places.models import Place, System

    user = role_grant(username=BENCH_USER, role="commissioner").user
    system = System.objects.order_by("name").first()
    place = Place.objects.select_related("system").get(slug=PLACE_SLUG)
    metric = Metric.objects.order_by("code").first()

    # The floors' rows, read and formatted once, before any timing.
    floors = {
        "place": _place_floor_rows(place),
        "overview": _overview_floor_rows(),
        "metric": _metric_floor_rows(metric, system),
    }
    series_on_place = len(floors["place"]["tiles"])
    urlconf = types.ModuleType("bench_pages_urls")
    urlconf.urlpatterns = [
        path("floor/place/", floor_place, {"data": floors["place"]}),
        path("floor/overview/", floor_overview, {"data": floors["overview"]}),
        path("floor/metric/", floor_metric, {"data": floors["metric"]}),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[urlconf.__name__] = urlconf

    pages = {
        "place": (f"Place dashboard `{place.get_absolute_url()}`", place.get_absolute_url()),
        "overview": ("System overview `/`", "/"),
        "metric": (f"Metric page `{metric.get_absolute_url()}`", metric.get_absolute_url()),
    }
    results = {}
    load_start = os.getloadavg()
    with override_settings(ROOT_URLCONF=urlconf.__name__):
        client = Client()
        client.force_login(user)
        with bench_lock():
            for key, (_, url) in pages.items():
                floor_url = f"/floor/{key}/"
                # The first request after a publish the worker has not warmed: the page's
                # fragments rendered and cached.
                cache.clear()
                cold_queries, _ = query_count(client, url)
                portal = summary(timed(client, url, args.requests, args.warmup))
                floor = summary(timed(client, floor_url, args.requests, args.warmup))
                queries, size = query_count(client, url)
                floor_queries, floor_size = query_count(client, floor_url)
                results[key] = {
                    "portal": portal,
                    "floor": floor,
                    "queries": queries,
                    "cold_queries": cold_queries,
                    "floor_queries": floor_queries,
                    "size": size,
                    "floor_size": floor_size,
                }
                print(
                    f"{key}: portal p50 {portal['p50']:.1f} p95 {portal['p95']:.1f} ms,"
                    f" floor p50 {floor['p50']:.1f} p95 {floor['p95']:.1f} ms,"
                    f" {queries} queries ({cold_queries} uncached, {floor_queries} on the floor),"
                    f" {size:,} bytes",
                    flush=True,
                )
    load_end = os.getloadavg()

    from metrics.models import Series

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## Commissioner pages — {now}\n",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}; load average at the start"
        f" {' / '.join(f'{x:.2f}' for x in load_start)},"
        f" at the end {' / '.join(f'{x:.2f}' for x in load_end)}.",
        f"Data: the synthetic England database (`{settings.DATABASES['default']['NAME']}`,"
        f" {Series.objects.count():,} series). `bench/bench_pages.py --requests {args.requests}`:"
        f" {args.requests} timed requests per page after {args.warmup} warm-up requests, in one"
        " process through Django's full request cycle (`django.test.Client`, signed in as a"
        " commissioner, production settings, DEBUG off).",
        f"Pages: the Place `{place.slug}` as generated ({series_on_place} series on its page:"
        f" 400 metrics, twice the 200 of the target); the overview of `{system.slug}` (its"
        f" {len(floors['overview']['rows']):,} series on the matrix's first page, of 50"
        f" metrics); the metric `{metric.code}` ({len(floors['metric']['charts'])} charts, one"
        f" per subject of `{system.slug}`, the system the page shows by default).",
        "Floors: the same request cycle, then the page's rows pre-formatted before timing, joined"
        " with f-strings into a bare HTML page: "
        + "; ".join(f"{k}: {v}" for k, v in FLOOR_SECTIONS.items())
        + ".",
        "",
        "| page | portal p50 ms | portal p95 ms | portal mean ms | floor p50 ms | floor p95 ms"
        " | p95 ratio | queries | HTML bytes | p95 ≤ 100 ms | ≤ 4× floor | queries ≤ 8"
        " | ≤ 300 KB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for key, (label, _) in pages.items():
        r = results[key]
        p, f = r["portal"], r["floor"]
        ratio = p["p95"] / f["p95"]
        lines.append(
            f"| {label} | {p['p50']:.1f} | {p['p95']:.1f} | {p['mean']:.1f} | {f['p50']:.1f}"
            f" | {f['p95']:.1f} | {ratio:.2f}× | {r['queries']} | {r['size']:,}"
            f" | {'PASS' if p['p95'] <= TARGET_P95_MS else 'FAIL'}"
            f" | {'PASS' if ratio <= TARGET_RATIO else 'FAIL'}"
            f" | {'PASS' if r['queries'] <= TARGET_QUERIES else 'FAIL'}"
            f" | {bytes_verdict(r['size'])} |"
        )
    lines.append(
        "\nQueries are every statement the database received for the page, transaction control"
        " included (the floor pages, with no SQL of their own, take"
        f" {results['place']['floor_queries']}: the session, and the user with their role; the"
        " session is saved once a minute, not on every request). The portal pages are measured"
        " with their snapshot fragments cached (the worker renders them when it publishes; the"
        " first request after a publish renders them if it has not), and the Place and metric"
        " pages with their whole content cached under the snapshots and the content version"
        " (`places/content_version.py`: a token the database changes on every write to page"
        " content, read in the page's first query). Queries of that first, uncached request: "
        + ", ".join(f"{k} {results[k]['cold_queries']}" for k in results)
        + "."
    )
    text = "\n".join(lines) + "\n"
    with args.results.open("a", encoding="utf-8") as handle:
        handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
