"""The load benchmark's users: commissioners' pages, API filters, membership edits, uploads.

Started by ``bench/bench_load.py``, which prepares the accounts and passes them in the JSON file
named by ``LOAD_PLAN`` (passwords and tokens of this run, and the pools of slugs and codes to
pick from). Each Locust user is one board secretary: it signs in once through the sign-in form,
fetches the page's static files once (a browser caches them), then picks tasks by weight:

* 70 dashboard views: a Place dashboard, the system overview or a metric page, in its session;
* 20 API filters: observations of one series, a board's memberships or a metric search, with the
  commissioner's token;
* 8 membership edits: the change form of a membership of the secretary's own board (no other
  user edits it), every field read from the HTML, the note changed, posted back; a redirect to
  the board is success;
* 2 uploads: a CSV of three observations of the user's own Place, with the analyst's token.

Request names start with their group (``dashboards:``, ``API:``, ``edits:``, ``uploads``,
``sign-in:``, ``static``). When Locust quits, each group's requests are merged into one entry
and its counts and percentiles written as JSON to ``LOAD_GROUPS``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import urlencode

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.stats import StatsEntry

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as _handle:
    PLAN = json.load(_handle)
# Seconds a user reads a page before the next action (see bench/bench_load.py).
WAIT = (float(os.environ.get("LOAD_WAIT_MIN", "1")), float(os.environ.get("LOAD_WAIT_MAX", "3")))
GROUPS = ("dashboards", "API", "edits", "uploads", "sign-in", "static")
_next_user = itertools.count()


class FormReader(HTMLParser):
    """Every ``<form>`` of a page with the fields a browser would submit, in document order.

    Text, hidden and other inputs with a name send their value; checkboxes and radios only when
    checked; a select its selected options (a single select with none selected, its first);
    a textarea its text. Disabled fields, buttons and file inputs send nothing.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def _add(self, name: str, value: str) -> None:
        self._form["fields"].append((name, value))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value") or "on")
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._add(name, a.get("value") or "")
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": []}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"].append(data)
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not self._select["multiple"]:
                chosen = chosen[-1:] or options[:1]
            for option in chosen:
                value = option["value"]
                self._add(self._select["name"], option["text"].strip() if value is None else value)
            self._select = self._option = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea["text"])
            # A newline straight after <textarea> is not part of its value (HTML parsing rules).
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._add(self._textarea["name"], text)
            self._textarea = None


def read_forms(html: str) -> list[dict]:
    reader = FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def form_with(html: str, field: str) -> dict | None:
    """The first form of the page that has a field called ``field``."""
    return next((f for f in read_forms(html) if any(n == field for n, _ in f["fields"])), None)


def why(response) -> str:
    """The status and the start of the body, or the connection error when there was no answer."""
    if response.status_code == 0 or response.text is None:
        return f"no response: {response.error!r}"
    return f"{response.status_code} {response.text[:300]!r}"


def multipart(field: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one file, and its Content-Type header."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}";'
            f' filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


class PortalUser(FastHttpUser):
    """A board secretary who reads dashboards, queries the API, edits and uploads."""

    wait_time = between(*WAIT)

    def on_start(self) -> None:
        index = next(_next_user)
        accounts = PLAN["secretaries"]
        if index >= len(accounts):
            raise RuntimeError(f"only {len(accounts)} secretaries were prepared")
        self.account = accounts[index]
        self.upload_place = PLAN["upload_places"][index % len(PLAN["upload_places"])]
        self.edits = 0
        self.api_headers = {"Authorization": f"Token {PLAN['commissioner_token']}"}
        self.upload_headers = {"Authorization": f"Token {PLAN['analyst_token']}"}
        self.sign_in()
        for path in PLAN["static"]:
            with self.client.get(path, name="static", catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{path}: {why(response)}")

    def sign_in(self) -> None:
        with self.client.get(
            "/accounts/login/", name="sign-in: form", catch_response=True
        ) as response:
            form = form_with(response.text or "", "password")
            if response.status_code != 200 or form is None:
                response.failure(f"no sign-in form: {why(response)}")
                raise RuntimeError("no sign-in form")
        fields = dict(form["fields"])
        fields.update(username=self.account["username"], password=self.account["password"])
        with self.client.post(
            "/accounts/login/",
            data=fields,
            name="sign-in: post",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in: {why(response)}, not a redirect")
                raise RuntimeError("sign-in refused")

    # -- 70: dashboard views ------------------------------------------------------------------

    def _page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {why(response)}")
            elif "/accounts/login/" in (response.url or ""):
                response.failure(f"{path}: sent to the sign-in page")

    @task(35)
    def place_dashboard(self) -> None:
        slug = random.choice(PLAN["places"])
        self._page(f"/places/{slug}/", "dashboards: Place /places/[slug]/")

    @task(15)
    def system_overview(self) -> None:
        self._page("/", "dashboards: overview /")

    @task(20)
    def metric_page(self) -> None:
        code = random.choice(PLAN["metrics"])
        self._page(f"/metrics/{code}/", "dashboards: metric /metrics/[code]/")

    # -- 20: API filters ----------------------------------------------------------------------

    def _api(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, headers=self.api_headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {why(response)}")

    @task(10)
    def api_observations(self) -> None:
        query = urlencode(
            {
                "metric": random.choice(PLAN["metrics"]),
                "subject_type": "place",
                "subject": random.choice(PLAN["places"]),
                "period_after": random.choice(PLAN["periods_after"]),
            }
        )
        self._api(f"/api/v1/observations/?{query}", "API: observations ?metric&subject&period")

    @task(5)
    def api_memberships(self) -> None:
        query = urlencode({"board": random.choice(PLAN["boards"])})
        self._api(f"/api/v1/memberships/?{query}", "API: memberships ?board")

    @task(5)
    def api_metrics(self) -> None:
        query = urlencode({"q": random.choice(PLAN["search_terms"])})
        self._api(f"/api/v1/metrics/?{query}", "API: metrics ?q")

    # -- 8: membership edits ------------------------------------------------------------------

    @task(8)
    def membership_edit(self) -> None:
        path = self.account["edit_path"]
        with self.client.get(path, name="edits: change form", catch_response=True) as response:
            form = (
                form_with(response.text or "", "version") if response.status_code == 200 else None
            )
            if form is None:
                response.failure(f"{path}: {why(response)}, no membership form")
                return
        self.edits += 1
        note = f"Reviewed in load test {PLAN['run']}, edit {self.edits} at {time.time():.0f}."
        fields = [(n, note if n == "note" else v) for n, v in form["fields"]]
        with self.client.post(
            form["action"] or path,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="edits: save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.endswith("#members"):
                response.failure(
                    f"{path}: {why(response)} {location!r}, not the redirect to the board"
                )

    # -- 2: uploads ---------------------------------------------------------------------------

    @task(2)
    def upload(self) -> None:
        cells = random.sample(self.upload_place["cells"], 3)
        lines = ["metric,subject_type,subject,period,value"]
        for cell in cells:
            value = round(cell["value"] * random.uniform(0.99, 1.01), 2)
            if cell.get("maximum") is not None:
                value = min(value, cell["maximum"])
            if cell.get("minimum") is not None:
                value = max(value, cell["minimum"])
            lines.append(
                f"{cell['metric']},place,{self.upload_place['slug']},{cell['period']},{value}"
            )
        body, content_type = multipart(
            "file", "load-test.csv", ("\n".join(lines) + "\n").encode(), "text/csv"
        )
        with self.client.post(
            "/api/v1/observations/bulk/",
            data=body,
            headers={**self.upload_headers, "Content-Type": content_type},
            name="uploads: observations/bulk",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"upload: {why(response)}")


@events.quitting.add_listener
def write_groups(environment, **kwargs) -> None:
    """Each group's requests merged into one entry: counts and percentiles, as JSON."""
    path = os.environ.get("LOAD_GROUPS")
    if not path:
        return
    stats = environment.stats
    groups = {}
    for group in GROUPS:
        merged = StatsEntry(stats, group, "")
        for (name, _method), entry in stats.entries.items():
            if name.split(":")[0] == group:
                merged.extend(entry)
        if not merged.num_requests:
            continue
        groups[group] = {
            "requests": merged.num_requests,
            "failures": merged.num_failures,
            "p50": merged.get_response_time_percentile(0.50),
            "p95": merged.get_response_time_percentile(0.95),
            "p99": merged.get_response_time_percentile(0.99),
            "max": merged.max_response_time,
            "mean": merged.avg_response_time,
        }
    total = stats.total
    duration = (total.last_request_timestamp or 0) - (total.start_time or 0)
    out = {"groups": groups, "seconds": duration, "errors": len(stats.errors)}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(out, handle, indent=1)
