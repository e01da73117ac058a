"""Turn an extraction of facts from source documents (schema 1.0) into the portal's fixture.

The extraction cites every fact as ``{"file": ..., "line": ...}``; the fixture keeps each
citation as ``[document key, line]``. Editorial choices (short titles, which organisation
an area named in the documents stands for, metric codes) come from a separate file so
that nothing here is specific to one system.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

FORMAT = "icsportal-system/1"

BOARD_LEVELS = {
    "system": "system",
    "local_authority_area": "county",
    "place": "place",
    "regional": "regional",
    "not stated": "not_stated",
}
BOARD_STATUS_WORDS = {
    "established": "established",
    "proposed": "proposed",
    "being": "proposed",
    "planned": "planned",
    "scheduled": "planned",
    "referenced": "referenced",
    "replaced": "replaced",
    "superseded": "replaced",
}
PRIORITY_STATUSES = {
    "current": "current",
    "planned": "planned",
    "in progress": "in_progress",
    "anticipated (subject to agreement)": "anticipated",
    "proposed": "proposed",
    "future phase": "future",
}
POLARITIES = {
    "higher is better": "higher_is_better",
    "lower is better": "lower_is_better",
    "neutral": "neutral",
}
MATURITIES = {
    "not yet established": "not_yet_established",
    "plans in place": "plans_in_place",
    "established": "established",
    "mature": "mature",
    "exemplary": "exemplary",
}
HEADLINE_POPULATION_LABELS = ("residents", "population")


def _year(value) -> int | None:
    """A four-digit year from an int or a string such as '2019'."""
    match = re.match(r"\d{4}", str(value)) if value is not None else None
    return int(match.group()) if match else None


def sourced_records(node, path: str = ""):
    """(path, record) for every record under ``node`` that cites a source and says something
    (``text`` or ``name``), depth first in the extraction's order; a path reads
    ``heart.facts[2]``."""
    if isinstance(node, dict):
        if node.get("source") and (node.get("text") or node.get("name")):
            yield path, node
        for key, value in node.items():
            if key not in ("source", "also_sources"):
                yield from sourced_records(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from sourced_records(value, f"{path}[{n}]")


class ExtractionError(ValueError):
    """The extraction cannot be converted; the message names the record."""


def financial_year(label: str) -> tuple[str, str]:
    """'2019/20' → ('2019-04-01', '2020-03-31'), the English financial year."""
    match = re.fullmatch(r"(\d{4})/(\d{2})", label.strip())
    if not match:
        raise ExtractionError(f"period {label!r} is not a financial year like 2019/20")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ExtractionError(f"period {label!r}: the second year must follow the first")
    return dt.date(start, 4, 1).isoformat(), dt.date(start + 1, 3, 31).isoformat()


MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH, re.IGNORECASE)
_MONTH_ONLY = re.compile(r"\b" + _MONTH, re.IGNORECASE)
_FINANCIAL_YEAR = re.compile(r"\b(\d{4})/(\d{2})\b")
_QUARTER = re.compile(r"\bQ([1-4])\b")
_YEAR = re.compile(r"(?<![\d/])(\d{4})(?![\d/])")


@dataclass(frozen=True)
class EventDate:
    """When a dated event happened, to the precision its words give: ``start`` is the first
    day of the day, month, quarter, financial year or year they name."""

    start: dt.date
    precision: str  # "day", "month", "quarter", "financial_year" or "year"


def event_date(event: dict, where: str, *, chosen_year: int | None = None) -> EventDate:
    """The date an event's words as written give ("26th of June", "Q4 2018/19", "summer of
    2018"), no more precise than they are. Words without a year take the extraction's year
    where its note says the year was inferred (from the document's own date), else
    ``chosen_year``, an editorial choice; the result must agree with the extraction's
    ``date``."""
    words = event["date_as_written"]
    financial = _FINANCIAL_YEAR.search(words)
    if financial:
        first = int(financial[1])
        quarter = _QUARTER.search(words)
        if quarter is None:
            return EventDate(dt.date(first, 4, 1), "financial_year")
        # The financial year's quarters begin in April, July, October and January.
        month = 4 + 3 * (int(quarter[1]) - 1)
        return EventDate(dt.date(first + month // 13, (month - 1) % 12 + 1, 1), "quarter")
    year = _YEAR.search(words)
    if year is None:
        if "inferred" in str(event.get("note", "")):
            year_value = _year(event["date"])
        elif chosen_year is not None:
            year_value = chosen_year
        else:
            raise ExtractionError(
                f"{where}: {words!r} gives no year, and neither the extraction's note nor "
                "the editorial file's event_years says which"
            )
    else:
        year_value = int(year[1])
    day_month = _DAY_MONTH.search(words)
    month = _MONTH_ONLY.search(words)
    if day_month:
        found = EventDate(
            dt.date(year_value, MONTHS[day_month[2].lower()], int(day_month[1])), "day"
        )
    elif month:
        found = EventDate(dt.date(year_value, MONTHS[month[1].lower()], 1), "month")
    else:
        found = EventDate(dt.date(year_value, 1, 1), "year")
    width = {"day": 10, "month": 7, "year": 4}[found.precision]
    if found.start.isoformat()[:width] != str(event["date"])[:width]:
        raise ExtractionError(
            f"{where}: {words!r} reads as {found.start.isoformat()[:width]}, "
            f"the extraction says {event['date']!r}"
        )
    return found


class Converter:
    """One conversion: holds the document keys and the editorial choices."""

    def __init__(self, extraction: dict, editorial: dict, line_counts: dict[str, int] | None):
        self.x = extraction
        self.ed = editorial
        self.line_counts = line_counts or {}
        self.doc_keys = {d["file"]: d["id"] for d in extraction["meta"]["documents"]}

    # -- citations -------------------------------------------------------------------------
    def cite(self, source: dict | None, where: str) -> list | None:
        if not source:
            return None
        try:
            key = self.doc_keys[source["file"]]
        except KeyError as exc:
            raise ExtractionError(f"{where}: unknown source file {source.get('file')!r}") from exc
        line = int(source["line"])
        limit = self.line_counts.get(source["file"])
        if line < 1 or (limit and line > limit):
            raise ExtractionError(f"{where}: line {line} is outside {source['file']}")
        return [key, line]

    def also(self, record: dict, where: str) -> list:
        return [self.cite(s, where) for s in record.get("also_sources") or []]

    # -- the whole fixture ------------------------------------------------------------------
    def convert(self) -> dict[str, Any]:
        # Place and board slugs are the pages' URLs across the portal: a system whose names
        # would take another system's slugs is given a prefix in its editorial file.
        self.slug_prefix = self.ed.get("system", {}).get("slug_prefix", "")
        self.place_slugs = {
            p["id"]: self.slug_prefix + slugify(p["name"]) for p in self.x["places"]
        }
        return {
            "format": FORMAT,
            "documents": self.documents(),
            "system": self.system(),
            "places": self.places(),
            "facts": self.facts(),
            "priorities": self.priorities(),
            "organisations": self.organisations(),
            "boards": self.boards(),
            "people": self.people(),
            "memberships": self.memberships(),
            "metrics": self.metrics(),
            "hicm": self.hicm(),
            "quality_flags": self.quality_flags(),
            "outcomes": self.outcomes(),
            "finance": self.finance(),
            "risks": self.risks(),
            "escalation_route": self.escalation_route(),
            "commitments": self.commitments(),
            "workstream_leads": self.workstream_leads(),
            "successions": self.successions(),
        }

    def documents(self) -> list[dict]:
        out = []
        for doc in self.x["meta"]["documents"]:
            ed = self.ed.get("documents", {}).get(doc["id"], {})
            title = ed.get("title") or doc.get("title_as_written") or doc["description"][:200]
            out.append(
                {
                    "key": doc["id"],
                    "title": title,
                    "short_title": ed.get("short_title") or title[:80],
                    "file_name": doc["file"],
                    "description": doc["description"],
                    "date": doc.get("date"),
                    "date_note": doc.get("date_note") or "",
                    "is_draft": doc.get("status") == "draft",
                    "line_count": self.line_counts.get(doc["file"]),
                }
            )
        return out

    def system(self) -> dict:
        s = self.x["system"]
        ed = self.ed.get("system", {})
        # Only where the editorial file says so (a renamed copy of a real system's data), so
        # a documented system's fixture is unchanged.
        synthetic = {"is_synthetic": True} if ed.get("is_synthetic") else {}
        return {
            **synthetic,
            "key": s["id"],
            "slug": ed.get("slug") or slugify(s["name"]),
            "name": s["name"],
            "short_name": ed.get("short_name", ""),
            "description": s["description"]["text"],
            "aim": s["aim"]["text"],
            "tagline": s["tagline"]["text"],
            "population": s["population"]["value"],
            "population_as_written": s["population"]["as_written"],
            "source": self.cite(s["source"], "system"),
            "also": self.also(s, "system"),
        }

    def places(self) -> list[dict]:
        out = []
        for p in self.x["places"]:
            notes = [p.get("name_note"), p.get("population_note")]
            out.append(
                {
                    "key": p["id"],
                    "slug": self.place_slugs[p["id"]],
                    "name": p["name"],
                    "name_variants": [
                        {"name": v["name"], "source": self.cite(v.get("source"), p["id"])}
                        for v in p.get("name_variants", [])
                    ],
                    "note": " ".join(
                        n if isinstance(n, str) else n.get("text", "") for n in notes if n
                    ),
                    "source": self.cite(p["source"], p["id"]),
                }
            )
        return out

    def facts(self) -> list[dict]:
        out: list[dict] = []
        s = self.x["system"]
        out.append(
            self.fact(
                key="system-population",
                place=None,
                kind="population",
                record={**s["population"], "label": "residents"},
                text="",
                headline=True,
            )
        )
        for order, count in enumerate(s["counts"]):
            value = count["value"]
            record = dict(count)
            if isinstance(value, dict):  # a range such as 30,000–50,000
                record["value"] = None
                record["figures"] = [
                    {"label": bound, "value": v, "as_written": count["as_written"]}
                    for bound, v in value.items()
                ]
            out.append(
                self.fact(
                    key=f"system-count-{slugify(count['item'])}",
                    place=None,
                    kind="count",
                    record={**record, "label": count["item"].replace("_", " ")},
                    text=count.get("detail", ""),
                    order=order,
                )
            )
        for p in self.x["places"]:
            headline_done = False
            for order, pop in enumerate(p.get("population", [])):
                headline = not headline_done and pop["label"] in HEADLINE_POPULATION_LABELS
                headline_done = headline_done or headline
                out.append(
                    self.fact(
                        key=f"{p['id']}-population-{order}",
                        place=p["id"],
                        kind="population",
                        record=pop,
                        text="",
                        headline=headline,
                        order=order,
                    )
                )
            for order, st in enumerate(p.get("population_statements", [])):
                out.append(
                    self.fact(
                        key=f"{p['id']}-population-statement-{order}",
                        place=p["id"],
                        kind="population",
                        record=st,
                        text=st["text"],
                        order=100 + order,
                    )
                )
            for order, bg in enumerate(p.get("background_facts", [])):
                out.append(
                    self.fact(
                        key=bg.get("id") or f"{p['id']}-background-{order}",
                        place=p["id"],
                        kind="background",
                        record=bg,
                        text=bg["text"],
                        order=order,
                    )
                )
        out.extend(self.context_facts())
        out.extend(self.record_facts())
        for order, pf in enumerate(self.x.get("population_facts", [])):
            out.append(
                self.fact(
                    key=pf["id"],
                    place=pf.get("place"),
                    kind="health",
                    record={**pf, "label": pf.get("area", "")},
                    text=pf["text"],
                    order=order,
                )
            )
        return out

    # The extraction's words for a workstream's category, as the pages name the topic.
    WORKSTREAM_CATEGORIES = {
        "system_priority": "System priorities",
        "enabling_workstream": "Enabling workstreams",
        "transformation_workstream": "Transformation workstreams",
        "ltp_response": "Responses to the Long Term Plan",
        "ccg_commissioning_theme": "CCG commissioning themes",
        "service_transformation_programme": "Service transformation programmes",
        "service_improvement_scheme": "Service improvement schemes",
        "place_programme": "Place programmes",
    }

    def record_facts(self) -> list[dict]:
        """The documents' other cited records, each a fact of its kind: finance statements and
        figures not loaded as finance figures, targets that are not Long Term Plan commitments,
        achievements, workstreams and their priorities, commissioning intentions, Better Care
        Fund schemes and arrangements (section 75 among them), the ICS maturity statements and
        dated events."""
        out: list[dict] = []
        places = {p["name"]: p["id"] for p in self.x["places"]}

        def add(kind, key, record, *, text, topic, label="", place=None, order=0):
            fact = self.fact(
                key=key,
                place=place,
                kind=kind,
                record={**record, "topic": topic, "label": label},
                text=text,
                order=order,
            )
            fact["note"] = self.noted(fact["source"], fact["note"])
            out.append(fact)

        fin = self.x.get("finance") or {}
        loaded = set(self.ed.get("finance", {}).get("key_figures", {}))
        for n, f in enumerate(self.x["system"].get("key_figures", [])):
            if f["id"] not in loaded:
                add(
                    "finance",
                    f"finance-{f['id']}",
                    {**f, "year": None},
                    text="",
                    topic="Key financial figures",
                    label=f["label"],
                    order=n,
                )
        for n, f in enumerate(fin.get("spend_benchmarks_2017_18", [])):
            add(
                "finance",
                f"finance-{f['id']}",
                f,
                text="",
                topic="Spend against similar CCGs, 2017/18",
                label=f["label"],
                order=n,
            )
        for n, f in enumerate(fin.get("provider_performance_2018_19", [])):
            add(
                "finance",
                f"finance-provider-{n}",
                {**f, "qualifier": ""},
                text=f["text"],
                topic="Provider positions, 2018/19",
                label=f.get("position", ""),
                order=n,
            )
        for n, f in enumerate(fin.get("control_totals", [])):
            add(
                "finance",
                f"finance-control-total-{n}",
                f,
                text=f["text"],
                topic="Control totals",
                label=f.get("period", ""),
                order=n,
            )
        for n, f in enumerate(fin.get("other_facts", [])):
            add(
                "finance",
                f"finance-statement-{n}",
                f,
                text=f["text"],
                topic="Finance statements",
                order=n,
            )
        for metric in self.x.get("metrics", []):
            for t in metric.get("targets", []):
                cut = t.get("required_reduction_vs_2018_19_actual")
                if not cut:
                    continue
                add(
                    "target",
                    f"{metric['id']}-{t['area']}-required-reduction",
                    {**cut, "year": t.get("period")},
                    text=f"{metric['name']}: the reduction required of {t['area_name']} "
                    f"against its 2018/19 actual, {t.get('period', '')}: {cut['as_written']}",
                    topic=f"{metric.get('short_name') or metric['name']}: required reductions",
                    label=t["area_name"],
                )
        for n, t in enumerate(self.x.get("other_targets", [])):
            add("target", t["id"], t, text=t["target"], topic=t.get("area") or "Targets", order=n)
        for n, a in enumerate(self.x.get("achievements", [])):
            add(
                "achievement",
                a["id"],
                a,
                text=a["text"],
                topic=a.get("topic") or "Achievements",
                label=a.get("area", ""),
                place=places.get(a.get("area")),
                order=n,
            )
        for n, w in enumerate(self.x.get("workstreams", [])):
            category = w.get("category", "").split(" and ")[0]
            topic = self.WORKSTREAM_CATEGORIES.get(category, "Workstreams")
            add(
                "workstream",
                w["id"],
                w,
                text=w["name"],
                topic=topic,
                label=w.get("status", ""),
                order=n * 100,
            )
            for m, pr in enumerate(w.get("priorities", [])):
                add(
                    "workstream",
                    f"{w['id']}-priority-{m}",
                    pr,
                    text=f"{w['name']}: {pr['text']}",
                    topic=topic,
                    order=n * 100 + 1 + m,
                )
        commissioning = self.x.get("commissioning") or {}
        for name, block in commissioning.items():
            topic = (
                name.replace("_", " ")
                .replace("2020 21", "2020/21")
                .capitalize()
                .replace("Ccg", "CCG")
            )
            items = block if isinstance(block, list) else [block, *block.get("items", [])]
            if isinstance(block, dict) and block.get("context"):
                items = [block["context"], *block.get("items", [])]
            for n, item in enumerate(items):
                if isinstance(item, dict) and item.get("text") and item.get("source"):
                    add(
                        "commissioning",
                        f"commissioning-{name}-{n}",
                        item,
                        text=item["text"],
                        topic=topic,
                        order=n,
                    )
        bcf = self.x.get("bcf") or {}
        lists = (
            "initiatives",
            "joint_commissioning_arrangements",
            "lead_commissioning_arrangements",
        )
        for name in lists:
            topic = {"initiatives": "Better Care Fund schemes"}.get(
                name, "Better Care Fund: " + name.replace("_", " ")
            )
            for n, item in enumerate(bcf.get(name, [])):
                add(
                    "bcf",
                    f"bcf-{name}-{n}",
                    item,
                    text=item["text"],
                    topic=topic,
                    label=item.get("name", ""),
                    order=n,
                )
        # The rest of the Better Care Fund plan: every cited statement, in the plan's order.
        for n, (path, item) in enumerate(
            sourced_records({k: v for k, v in bcf.items() if k not in lists})
        ):
            key = "bcf-" + path.replace("[", "-").replace("]", "").replace(".", "-")
            add(
                "bcf",
                key,
                item,
                text=item.get("text") or item["name"],
                topic="Better Care Fund",
                label=item.get("name", "") if item.get("text") else "",
                order=100 + n,
            )
        for n, m in enumerate(self.x["system"].get("ics_maturity", [])):
            add(
                "maturity",
                f"ics-maturity-{n}",
                m,
                text=m["text"],
                topic="ICS maturity self-assessment",
                label=m.get("item", ""),
                order=n,
            )
        out.extend(self.event_facts())
        return out

    def event_facts(self) -> list[dict]:
        """The dated events, each with the date its words give (``date``, the first day of the
        period, and ``date_precision``), ordered by date, then as the extraction lists them."""
        chosen = self.ed.get("event_years", {})
        dated = []
        for n, e in enumerate(self.x.get("events", [])):
            where = f"events[{n}]"
            choice = chosen.get(f"{e['source']['file']}:{e['source']['line']}") or {}
            when = event_date(e, where, chosen_year=choice.get("year"))
            note = " ".join(
                part
                for part in (
                    e.get("note") if isinstance(e.get("note"), str) else "",
                    f"Year not written: {choice['reason']}" if choice else "",
                )
                if part
            )
            record = {**e, "year": e["date"], "as_written": e["date_as_written"], "note": note}
            dated.append((when.start, n, when, record))
        out = []
        for order, (_, n, when, record) in enumerate(sorted(dated, key=lambda d: d[:2])):
            fact = self.fact(
                key=f"event-{n}",
                place=None,
                kind="event",
                record={**record, "topic": "Dated events", "label": record["as_written"]},
                text=record["event"],
                order=order,
            )
            fact["note"] = self.noted(fact["source"], fact["note"])
            fact["date"] = when.start.isoformat()
            fact["date_precision"] = when.precision
            out.append(fact)
        return out

    def workstream_leads(self) -> list[dict]:
        """Who leads each workstream, as the editorial file's ``workstream_leads`` reads it from
        the documents: an organisation, a board, or a post whose holder is not named; each with
        the line that says so."""
        workstreams = {w["id"] for w in self.x.get("workstreams", [])}
        orgs = {o["id"] for o in self.x["organisations"]}
        boards = {b["id"] for b in self.x["boards"]}
        out = []
        for n, lead in enumerate((self.ed.get("workstream_leads") or {}).get("leads", [])):
            where = f"workstream_leads[{n}]"
            if lead["workstream"] not in workstreams:
                raise ExtractionError(f"{where}: no workstream {lead['workstream']!r}")
            if lead.get("organisation") and lead["organisation"] not in orgs:
                raise ExtractionError(f"{where}: no organisation {lead['organisation']!r}")
            if lead.get("board") and lead["board"] not in boards:
                raise ExtractionError(f"{where}: no board {lead['board']!r}")
            workstream = slugify(lead["workstream"].replace("_", "-"))
            named = lead.get("organisation") or lead.get("board") or f"post-{n}"
            out.append(
                {
                    "key": slugify(f"{workstream}-lead-{named.replace('_', '-')}"),
                    "workstream": workstream,
                    "organisation": lead.get("organisation"),
                    "board": lead.get("board"),
                    "role": lead["role"],
                    "as_written": lead.get("as_written", ""),
                    "note": lead.get("note", ""),
                    "order": n,
                    "source": self.cite(lead["source"], where),
                }
            )
        return out

    def fact(self, *, key, place, kind, record, text, headline=False, order=0) -> dict:
        note = record.get("note", "")
        return {
            "key": slugify(key.replace("_", "-")),
            "place": place,
            "kind": kind,
            "topic": record.get("topic", ""),
            "label": record.get("label", ""),
            "text": text,
            "value": record.get("value"),
            "unit": record.get("unit", ""),
            "as_written": record.get("as_written", ""),
            "qualifier": record.get("qualifier", ""),
            "figures": record.get("figures", []),
            "year": _year(record.get("year")),
            "is_headline": headline,
            "note": note if isinstance(note, str) else "",
            "order": order,
            "source": self.cite(record.get("source"), key),
            "also": self.also(record, key),
        }

    def priorities(self) -> list[dict]:
        out = []
        for p in self.x["places"]:
            for order, pr in enumerate(p.get("priorities", [])):
                status = PRIORITY_STATUSES.get(pr["status"])
                if status is None:
                    raise ExtractionError(f"{pr['id']}: unknown priority status {pr['status']!r}")
                out.append(
                    {
                        "key": slugify(pr["id"].replace("_", "-")),
                        "place": p["id"],
                        "title": pr["title"],
                        "description": pr.get("description", ""),
                        "status": status,
                        "period": pr.get("period", ""),
                        "note": pr.get("note", ""),
                        "order": order,
                        "source": self.cite(pr["source"], pr["id"]),
                        "also": self.also(pr, pr["id"]),
                    }
                )
        return out

    def organisations(self) -> list[dict]:
        out = []
        for o in self.x["organisations"]:
            notes = [o.get("note"), o.get("places_note"), o.get("name_note")]
            out.append(
                {
                    "key": o["id"],
                    "name": o["name"],
                    "abbreviation": o.get("abbreviation", ""),
                    "kind": o["type"],
                    "subtype": o.get("subtype", ""),
                    "is_collective": bool(o.get("collective")),
                    "places": o.get("places", []),
                    "name_variants": [
                        {"name": v["name"], "source": self.cite(v.get("source"), o["id"])}
                        for v in o.get("name_variants", [])
                    ],
                    "note": " ".join(n for n in notes if isinstance(n, str) and n),
                    "source": self.cite(o["source"], o["id"]),
                }
            )
        return out

    # -- boards -----------------------------------------------------------------------------
    def boards(self) -> list[dict]:
        slugs: dict[str, str] = {}
        out = []
        for b in self.x["boards"]:
            slug = (self.slug_prefix + slugify(b["name"]))[:70]
            if slug in slugs.values():
                slug = f"{slug}-{slugify(b['id'].removeprefix('board_'))}"[:80]
            slugs[b["id"]] = slug
            status_word = b["status"].split()[0].lower()
            if status_word not in BOARD_STATUS_WORDS:
                raise ExtractionError(f"{b['id']}: unknown board status {b['status']!r}")
            if b["level"] not in BOARD_LEVELS:
                raise ExtractionError(f"{b['id']}: unknown board level {b['level']!r}")
            purpose = b["purpose"][0]["text"] if b.get("purpose") else ""
            frequency = b.get("meeting_frequency") or {}
            chair = b.get("chair") or {}
            established = b.get("established") or {}
            out.append(
                {
                    "key": b["id"],
                    "slug": slug,
                    "name": b["name"],
                    "abbreviation": b.get("abbreviation", ""),
                    "level": BOARD_LEVELS[b["level"]],
                    "place": b.get("place"),
                    "purpose": purpose,
                    "meeting_frequency": frequency.get("text", ""),
                    "chair_arrangement": chair.get("text") or chair.get("summary", ""),
                    "status": BOARD_STATUS_WORDS[status_word],
                    "status_as_written": b["status"],
                    "established": established.get("text") or established.get("summary", ""),
                    "required_organisations": b.get("member_organisations", []),
                    "name_variants": [
                        {"name": v["name"], "source": self.cite(v.get("source"), b["id"])}
                        for v in b.get("name_variants", [])
                    ],
                    "note": b.get("note", "") if isinstance(b.get("note"), str) else "",
                    "source": self.cite(b["source"], b["id"]),
                    "reporting_lines": [
                        {
                            "to": parent,
                            "source": self.cite(b.get("reports_to_source") or b["source"], b["id"]),
                        }
                        for parent in b.get("reports_to", [])
                    ]
                    + self.place_reporting(b),
                    "statements": self.board_statements(b),
                }
            )
        return out

    def place_reporting(self, b: dict) -> list[dict]:
        """The line from a Place's executive board to the board the documents say the Places
        report to, where the editorial file's ``place_reporting`` names the board as its
        Place's executive and the extraction does not already have the line."""
        choice = self.ed.get("place_reporting") or {}
        if b["id"] not in choice.get("boards", []) or choice["to"] in b.get("reports_to", []):
            return []
        return [{"to": choice["to"], "source": self.cite(choice["source"], b["id"])}]

    def board_statements(self, b: dict) -> list[dict]:
        out: list[dict] = []

        def add(kind, item, note=""):
            if item and (item.get("text") or item.get("summary")):
                out.append(
                    {
                        "kind": kind,
                        "text": item.get("text") or item["summary"],
                        "note": note
                        or (item.get("note") if isinstance(item.get("note"), str) else ""),
                        "source": self.cite(item.get("source"), b["id"]),
                    }
                )

        for item in b.get("purpose", []):
            add("purpose", item)
        for item in b.get("objectives", []):
            add("objective", item)
        frequency = b.get("meeting_frequency") or {}
        add("meeting_frequency", frequency)
        add("meeting_frequency", frequency.get("also"))
        chair = b.get("chair") or {}
        add("chair", chair)
        add(
            "conflict",
            chair.get("conflicting_statement"),
            note="A second document states the chair differently.",
        )
        members = b.get("members_description") or {}
        add("membership", members)
        for item in members.get("detail", []):
            add("membership", item)
        add("established", b.get("established"))
        note = b.get("reports_to_note")
        if isinstance(note, dict):
            add("reporting", note)
        return out

    def memberships(self) -> list[dict]:
        """Seats for each board's member organisations, then the people the documents name."""
        orgs = {o["id"]: o for o in self.x["organisations"]}
        roles = self.ed.get("seat_roles", {})
        out = []
        for b in self.x["boards"]:
            chair = b.get("chair") or {}
            members = b.get("members_description") or {}
            for org_key in b.get("member_organisations", []):
                role, source, label = "member", None, ""
                if chair.get("chair_org") == org_key:
                    role, source = "chair", chair.get("source")
                elif chair.get("vice_chair_org") == org_key:
                    role, source = "vice_chair", chair.get("source")
                role = roles.get(b["id"], {}).get(org_key, role)
                if source is None:
                    source = (
                        self.seat_source(orgs[org_key], members)
                        or members.get("source")
                        or b["source"]
                    )
                out.append(
                    {
                        "board": b["id"],
                        "person": None,
                        "on_behalf_of": org_key,
                        "role": role,
                        "label": label,
                        "voting": role not in ("attendee", "observer"),
                        "person_not_named": True,
                        "start_date": None,
                        "end_date": None,
                        "note": "",
                        "source": self.cite(source, f"{b['id']}/{org_key}"),
                    }
                )
        out.extend(self.group_seats(out, orgs))
        for person in self.x["people"]:
            for r in person["roles"]:
                board = r.get("organisation_or_body")
                if not (board and board.startswith("board_")):
                    continue
                chair = next(
                    (bb.get("chair") or {} for bb in self.x["boards"] if bb["id"] == board), {}
                )
                role = "chair" if chair.get("person_ref") == person["id"] else "officer"
                as_at = r.get("as_at", "")
                out.append(
                    {
                        "board": board,
                        "person": person["id"],
                        "on_behalf_of": r.get("organisation"),
                        "role": role,
                        "label": r["role"],
                        "voting": role == "chair",
                        "person_not_named": False,
                        "start_date": None,
                        "end_date": None,
                        "note": (
                            f"In post on {as_at}, the date of the source; "
                            "the term's dates are not stated."
                        )
                        if as_at
                        else "",
                        "source": self.cite(r["source"], person["id"]),
                    }
                )
        return out

    def group_seats(self, seats: list[dict], orgs: dict) -> list[dict]:
        """A seat for each organisation a group the documents name for a board resolves to
        ("NHS providers"), as the editorial file's ``seat_groups`` resolve it, unless the
        organisation has a seat there already; each cites the line naming the group."""
        boards = {b["id"] for b in self.x["boards"]}
        seated = {(m["board"], m["on_behalf_of"]) for m in seats}
        out = []
        for board, groups in self.ed.get("seat_groups", {}).items():
            if board not in boards:
                raise ExtractionError(f"seat_groups: no board {board!r} in the extraction")
            for group in groups:
                role = group.get("role", "member")
                for org_key in group["organisations"]:
                    if org_key not in orgs:
                        raise ExtractionError(f"seat_groups: no organisation {org_key!r}")
                    if (board, org_key) in seated:
                        continue
                    seated.add((board, org_key))
                    out.append(
                        {
                            "board": board,
                            "person": None,
                            "on_behalf_of": org_key,
                            "role": role,
                            "label": group["group"],
                            "voting": role not in ("attendee", "observer"),
                            "person_not_named": True,
                            "start_date": None,
                            "end_date": None,
                            "note": (
                                f"The documents name \u201c{group['group']}\u201d; the portal "
                                f"seats each organisation it stands for, an editorial choice: "
                                f"{group['reason']}"
                            ),
                            "source": self.cite(group["source"], f"{board}/{org_key}"),
                        }
                    )
        return out

    @staticmethod
    def seat_source(org: dict, members: dict) -> dict | None:
        """The membership detail line that names this organisation, if there is one."""
        names = {org["name"].lower()} | {v["name"].lower() for v in org.get("name_variants", [])}
        if org.get("abbreviation"):
            names.add(f"({org['abbreviation'].lower()})")
        for item in members.get("detail", []):
            text = item.get("text", "").lower()
            if any(name in text for name in names):
                return item.get("source")
        return None

    def people(self) -> list[dict]:
        out = []
        for p in self.x["people"]:
            identity = p.get("identity_note", "")
            out.append(
                {
                    "key": p["id"],
                    "name": p["name"],
                    "name_variants": [
                        {"name": v["name"], "source": self.cite(v.get("source"), p["id"])}
                        for v in p.get("name_variants", [])
                    ],
                    "identity_note": identity if isinstance(identity, str) else "",
                    "source": self.cite(p["source"], p["id"]),
                    "appointments": [
                        {
                            "organisation": r.get("organisation"),
                            "title": r["role"],
                            "as_at": r["as_at"]
                            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.get("as_at", ""))
                            else None,
                            "as_at_text": r.get("as_at", ""),
                            "source": self.cite(r["source"], p["id"]),
                        }
                        for r in p["roles"]
                        if not (r.get("organisation_or_body") or "").startswith("board_")
                    ],
                }
            )
        return out

    # -- metrics ----------------------------------------------------------------------------
    def subject(self, area: str, where: str) -> tuple[str, str, str]:
        if area.startswith("org_"):
            return "organisation", area, ""
        if area.startswith("place_"):
            return "place", area, ""
        mapped = self.ed.get("areas", {}).get(area)
        if mapped is None:
            raise ExtractionError(f"{where}: area {area!r} has no subject in the editorial file")
        return mapped["subject_type"], mapped["subject"], mapped.get("note", "")

    def metrics(self) -> list[dict]:
        out = []
        boards = {b["id"] for b in self.x["boards"]}
        for m in self.x["metrics"]:
            ed = self.ed["metrics"][m["id"]]
            owner = m.get("governance") if m.get("governance") in boards else ed.get("owner_board")
            metric = {
                "code": ed["code"],
                "name": m["name"],
                "short_name": m["short_name"],
                "abbreviation": m.get("abbreviation", ""),
                "definition": m["definition"],
                "unit": ed.get("unit") or m["unit"],
                "unit_note": m["unit"] if ed.get("unit") and ed["unit"] != m["unit"] else "",
                "polarity": POLARITIES[m["direction"]],
                "polarity_basis": m.get("direction_basis", ""),
                "frequency": ed["frequency"],
                "category": ed["category"],
                "owner_board": owner,
                "outcome": ed.get("outcome", ""),
                "decimal_places": ed.get("decimal_places", 1),
                "minimum": ed.get("minimum"),
                "maximum": ed.get("maximum"),
                "source": self.cite(m["source"], m["id"]),
                "targets": [],
                "observations": [],
                "statements": [],
            }
            for t in m.get("targets", []):
                stype, subject, area_note = self.subject(t["area"], m["id"])
                start, end = financial_year(t["period"])
                note = " ".join(x for x in (t.get("note", ""), area_note) if x)
                metric["targets"].append(
                    {
                        "subject_type": stype,
                        "subject": subject,
                        "period_label": t["period"],
                        "period_start": start,
                        "period_end": end,
                        "value": t.get("value"),
                        "as_written": t.get("as_written", ""),
                        "note": note,
                        "source": self.cite(t["source"], m["id"]),
                        "also": self.also(t, m["id"]),
                    }
                )
                previous = t.get("previous_target")
                if previous:
                    metric["statements"].append(
                        {
                            "kind": "target",
                            "area": t["area"],
                            "period_label": "previous (period not stated)",
                            "text": f"Previous target {previous['as_written']}",
                            "value": previous["value"],
                            "unit": previous.get("unit", ""),
                            "note": t.get("note", ""),
                            "source": self.cite(t["source"], m["id"]),
                        }
                    )
            for a in m.get("actuals", []):
                period = a.get("period", "")
                is_value = (
                    a.get("value") is not None
                    and "label" not in a
                    and re.fullmatch(r"\d{4}/\d{2}", period)
                )
                if is_value:
                    stype, subject, area_note = self.subject(a["area"], m["id"])
                    start, end = financial_year(period)
                    metric["observations"].append(
                        {
                            "subject_type": stype,
                            "subject": subject,
                            "period_start": start,
                            "period_end": end,
                            "value": a["value"],
                            "as_written": a.get("as_written", ""),
                            "note": " ".join(x for x in (a.get("note", ""), area_note) if x),
                            "source": self.cite(a["source"], m["id"]),
                        }
                    )
                else:
                    metric["statements"].append(
                        {
                            "kind": "actual",
                            "area": a.get("area", ""),
                            "period_label": period,
                            "text": (f"{a['label']}: " if a.get("label") else "")
                            + a.get("as_written", ""),
                            "value": a.get("value"),
                            "unit": a.get("unit", ""),
                            "note": a.get("note", ""),
                            "source": self.cite(a["source"], m["id"]),
                        }
                    )
            for key in ("target_basis", "target_setter"):
                if m.get(key):
                    metric["statements"].append(
                        {
                            "kind": "basis",
                            "area": "",
                            "period_label": "",
                            "text": m[key]["text"],
                            "value": None,
                            "unit": "",
                            "note": "",
                            "source": self.cite(m[key]["source"], m["id"]),
                        }
                    )
            for action in m.get("supporting_actions", []):
                metric["statements"].append(
                    {
                        "kind": "action",
                        "area": "",
                        "period_label": "",
                        "text": action["text"],
                        "value": None,
                        "unit": "",
                        "note": "",
                        "source": self.cite(action["source"], m["id"]),
                    }
                )
            out.append(metric)
        out.extend(self.workforce_metrics())
        return out

    def workforce_metrics(self) -> list[dict]:
        wf = self.x["workforce"]
        undated = self.ed["workforce_undated_default"]
        out = []
        for field, ed in self.ed["workforce_metrics"].items():
            metric = {
                "code": ed["code"],
                "name": ed["name"],
                "short_name": ed["short_name"],
                "abbreviation": "",
                "definition": wf["table_context"]["text"],
                "unit": ed["unit"],
                "unit_note": "",
                "polarity": ed["polarity"],
                "polarity_basis": "",
                "frequency": "point_in_time",
                "category": "workforce",
                "owner_board": wf.get("lwab_ref"),
                "outcome": "effective_services",
                "decimal_places": ed["decimal_places"],
                "minimum": ed.get("minimum"),
                "maximum": ed.get("maximum"),
                "source": self.cite(wf["table_context"]["source"], "workforce"),
                "targets": [],
                "observations": [],
                "statements": [],
            }
            for row in wf["table"]:
                cell = row[field]
                as_at = cell.get("as_at")
                notes = [cell.get("note", ""), cell.get("as_at_note", "")]
                if not as_at:
                    as_at = undated["as_at"]
                    notes.append(undated["note"])
                metric["observations"].append(
                    {
                        "subject_type": "organisation",
                        "subject": row["organisation"],
                        "period_start": as_at,
                        "period_end": as_at,
                        "value": cell["value"],
                        "as_written": f"{cell['as_written']} ({cell['as_at_as_written']})",
                        "note": " ".join(n for n in dict.fromkeys(notes) if n),
                        "source": self.cite(cell["source"], f"workforce/{row['organisation']}"),
                    }
                )
            out.append(metric)
        return out

    def hicm(self) -> list[dict]:
        ed = self.ed["hicm"]
        out = []
        for h in self.x["hicm_changes"]:
            source = self.cite(h["source"], h["id"])
            out.append(
                {
                    "number": h["number"],
                    "name": h["change"],
                    "area": h.get("area", ""),
                    "plan_text": h.get("plan_text") or "",
                    "note": h.get("plan_note", ""),
                    "source": source,
                    "assessments": [
                        {
                            "kind": "current",
                            "as_at": None,
                            "as_at_label": ed["current_label"],
                            "maturity": MATURITIES[h["current_maturity"].lower()],
                            "source": source,
                        },
                        {
                            "kind": "planned",
                            "as_at": ed["planned_as_at"],
                            "as_at_label": ed["planned_label"],
                            "maturity": MATURITIES[h["planned_maturity_march_2020"].lower()],
                            "source": source,
                        },
                    ],
                }
            )
        return out

    def quality_flags(self) -> list[dict]:
        return [
            {
                "key": slugify(f["id"].replace("_", "-")),
                "issue": f["issue"],
                "handling": f["handling"],
                "source": self.cite(f["source"], f["id"]),
                "also": self.also(f, f["id"]),
            }
            for f in self.x.get("data_quality_flags", [])
        ]

    # -- outcomes, finance, risks and commitments -------------------------------------------------
    def flag_notes(self) -> dict[tuple[str, int], list[str]]:
        """The data-quality doubts raised about each cited line, by (document key, line)."""
        if not hasattr(self, "_flag_notes"):
            notes: dict[tuple[str, int], list[str]] = {}
            for f in self.x.get("data_quality_flags", []):
                for source in [f["source"], *(f.get("also_sources") or [])]:
                    key = tuple(self.cite(source, f["id"]))
                    notes.setdefault(key, []).append(f["issue"])
            self._flag_notes = notes
        return self._flag_notes

    def noted(self, source: list | None, *notes) -> str:
        """Notes joined with any data-quality doubt about the cited line."""
        doubts = self.flag_notes().get(tuple(source), []) if source else []
        parts = [n.strip() for n in [*notes, *doubts] if isinstance(n, str) and n.strip()]
        return " ".join(p if p.endswith((".", ")")) else f"{p}." for p in dict.fromkeys(parts))

    def context_facts(self) -> list[dict]:
        """System statements the new pages quote: the risk register's context, the outcomes
        framework, the agreement of the finance principles."""
        s = self.x["system"]
        risks = self.x.get("risks") or {}
        items: list[tuple[str, str, dict]] = []
        r2019 = risks.get("system_key_risks_2019") or {}
        for name in ("context", "mitigation_approach"):
            if r2019.get(name):
                items.append(("Risk register", f"risks-2019-{name}", r2019[name]))
        r2017 = risks.get("stp_top_risks_2017") or {}
        if r2017.get("context"):
            items.append(("Risk register", "risks-2017-context", r2017["context"]))
        for n, challenge in enumerate(risks.get("other_challenges", [])):
            items.append(("Risk register: other challenges", f"risks-challenge-{n}", challenge))
        themes = s.get("outcomes_framework_themes")
        if themes:
            items.append(("Outcomes framework", "outcomes-framework-themes", themes))
        principles = s.get("finance_principles")
        if principles:
            items.append(
                (
                    "Finance principles",
                    "finance-principles-agreement",
                    {
                        "text": principles["description"],
                        "source": principles.get("agreement_source") or principles["source"],
                        "also_sources": [principles["source"]],
                        "status": principles.get("status", ""),
                    },
                )
            )
        out = []
        for order, (topic, key, item) in enumerate(items):
            fact = self.fact(
                key=f"system-{key}",
                place=None,
                kind="background",
                record={**item, "topic": topic, "label": item.get("status", "")},
                text=item["text"]
                + (f" ({item['context']})" if isinstance(item.get("context"), str) else ""),
                order=500 + order,
            )
            out.append(fact)
        return out

    def outcomes(self) -> list[dict]:
        codes = self.ed.get("outcomes", {})
        out = []
        for number, o in enumerate(self.x["system"].get("outcomes", []), start=1):
            if o["id"] not in codes:
                raise ExtractionError(f"{o['id']}: the editorial file gives the outcome no code")
            wording = o.get("strategic_outcome_wording") or {}
            out.append(
                {
                    "key": slugify(o["id"].replace("_", "-")),
                    "code": codes[o["id"]],
                    "number": number,
                    "title": o["text"],
                    "statement": wording.get("text", ""),
                    "statement_source": self.cite(wording.get("source"), o["id"]),
                    "note": wording.get("note", ""),
                    "source": self.cite(o["source"], o["id"]),
                }
            )
        return out

    def finance(self) -> dict:
        fin = self.x.get("finance") or {}
        ed = self.ed.get("finance", {})
        figures: list[dict] = []

        def figure(
            record,
            *,
            key,
            kind,
            label,
            place=None,
            organisation=None,
            parent=None,
            area="",
            basis="",
            order=0,
        ):
            source = self.cite(record.get("source"), key)
            return {
                "key": slugify(key.replace("_", "-")),
                "kind": kind,
                "label": label,
                "place": place,
                "organisation": organisation,
                "parent": parent,
                "area": area,
                "value": record.get("value"),
                "unit": record.get("unit", ""),
                "as_written": record.get("as_written", ""),
                "qualifier": record.get("qualifier", ""),
                "period": record.get("period") or "",
                "basis": basis,
                "note": self.noted(source, record.get("note")),
                "order": order,
                "source": source,
            }

        key_figures = {f["id"]: f for f in self.x["system"].get("key_figures", [])}
        for order, (fig_id, kind) in enumerate(ed.get("key_figures", {}).items()):
            if fig_id not in key_figures:
                raise ExtractionError(f"finance: no key figure {fig_id!r} in the extraction")
            f = key_figures[fig_id]
            parent = figure(f, key=fig_id, kind=kind, label=f["label"], order=order)
            figures.append(parent)
            for n, part in enumerate(f.get("split", [])):
                figures.append(
                    figure(
                        {**part, "source": f["source"], "period": f.get("period")},
                        key=f"{fig_id}-{part.get('recipient', n)}",
                        kind="efficiency_split",
                        label=f"{f['label']}: {part.get('recipient', '')}".strip(": "),
                        area=part.get("recipient", ""),
                        parent=parent["key"],
                        order=n,
                    )
                )
        for order, u in enumerate(fin.get("underlying_positions", [])):
            figures.append(
                figure(
                    u,
                    key=u["id"],
                    kind="underlying_position",
                    label=u["label"],
                    organisation=u.get("ccg_footprint"),
                    area=u.get("area", ""),
                    order=order + 1,
                )
            )
        for order, sav in enumerate(fin.get("savings_opportunities", [])):
            basis = sav.get("basis") or {}
            figures.append(
                figure(
                    sav,
                    key=sav["id"],
                    kind="savings_opportunity",
                    label=sav["area_of_spend"],
                    basis=basis.get("text", ""),
                    order=order,
                )
            )
        places = {p["id"]: p for p in self.x["places"]}
        for order, t in enumerate(fin.get("place_efficiency_targets", [])):
            record = dict(t)
            place_record = places.get(t["place"], {})
            detail = next(
                (
                    v
                    for v in place_record.values()
                    if isinstance(v, dict) and v.get("id") == t.get("ref")
                ),
                {},
            )
            record = {**detail, **t}
            figures.append(
                figure(
                    record,
                    key=t.get("ref") or f"{t['place']}-efficiency-{order}",
                    kind="place_efficiency_target",
                    label=detail.get("label") or "Efficiency target",
                    place=t["place"],
                    area=place_record.get("name", ""),
                    order=order,
                )
            )
        principles = (self.x["system"].get("finance_principles") or {}).get("principles", [])
        return {
            "figures": figures,
            "principles": [
                {
                    "number": p["number"],
                    "text": p["text"],
                    "source": self.cite(p["source"], f"finance principle {p['number']}"),
                }
                for p in principles
            ],
        }

    def risks(self) -> list[dict]:
        risks = self.x.get("risks") or {}
        out = []
        groups = [
            ("system_key_risks_2019", "Five key system risks of the five-year plan"),
            ("stp_top_risks_2017", "Top risks in NHS Improvement's stocktake letter, June 2017"),
        ]
        labels = self.ed.get("risk_groups", {})
        for group, default_label in groups:
            block = risks.get(group) or {}
            context = self.cite((block.get("context") or {}).get("source"), group)
            for r in block.get("risks", []):
                source = self.cite(r["source"], r["id"])
                out.append(
                    {
                        "key": slugify(r["id"].replace("_", "-")),
                        "title": r.get("title") or r["text"],
                        "description": r["text"] if r.get("title") else "",
                        "identified": labels.get(group, default_label),
                        "note": self.noted(source, r.get("note")),
                        "source": source,
                        "also": [context] if context else [],
                    }
                )
        return out

    def escalation_route(self) -> dict | None:
        board = (self.ed.get("risk_escalation") or {}).get("board")
        if not board:
            return None
        statement = next(
            (
                q
                for q in self.x["system"].get("quality_approach", [])
                if q.get("board_ref") == board
            ),
            None,
        )
        if statement is None:
            raise ExtractionError(f"risk escalation: no quality statement names {board!r}")
        return {
            "board": board,
            "text": statement["text"],
            "source": self.cite(statement["source"], "risk escalation"),
        }

    # -- lineage ----------------------------------------------------------------------------
    # The extraction's own words for "this board was replaced by that one".
    SUCCESSOR_FIELDS = (
        ("replaces", "backward"),
        ("supersedes", "backward"),
        ("successor", "forward"),
    )

    def successions(self) -> list[dict]:
        """Which organisations and boards succeeded which, as the editorial file's ``lineage``
        records them, each citing its line: checked against the extraction, whose boards name
        what they replace (``replaces``, ``supersedes``) or their ``successor`` — every such
        pair must be in the lineage, and the lineage names only known bodies."""
        known = {
            "organisation": {o["id"] for o in self.x["organisations"]},
            "board": {b["id"] for b in self.x["boards"]},
        }
        out = []
        for i, item in enumerate(self.ed.get("lineage", [])):
            where = f"lineage[{i}]"
            bodies = known.get(item["body"])
            if bodies is None:
                raise ExtractionError(f"{where}: body is 'organisation' or 'board'")
            for end in ("predecessor", "successor"):
                if item[end] is not None and item[end] not in bodies:
                    raise ExtractionError(f"{where}: no {item['body']} {item[end]!r}")
            out.append(
                {
                    "body": item["body"],
                    "predecessor": item["predecessor"],
                    "successor": item["successor"],
                    "kind": item["kind"],
                    "date": item["date"],
                    "reason": item["reason"],
                    "note": item.get("note", ""),
                    "source": self.cite(item["source"], where),
                }
            )
        recorded = {(s["predecessor"], s["successor"]) for s in out}
        for b in self.x["boards"]:
            for field, direction in self.SUCCESSOR_FIELDS:
                other = b.get(field)
                if not other:
                    continue
                pair = (b["id"], other) if direction == "forward" else (other, b["id"])
                if pair not in recorded:
                    raise ExtractionError(
                        f"{b['id']}: the extraction says {pair[1]} succeeded {pair[0]}; "
                        "record it in the editorial file's lineage"
                    )
        return out

    @staticmethod
    def due_date(year: str | None, qualifier: str | None) -> str | None:
        """The last day of a deadline's year: 31 December, or 31 March for a financial year."""
        if not year or qualifier != "by":
            return None
        if "/" in year:
            return financial_year(year)[1]
        return dt.date(int(year), 12, 31).isoformat()

    def commitments(self) -> list[dict]:
        programmes = self.ed.get("ltp_programmes", {})
        boards = {b["id"]: b for b in self.x["boards"]}
        out = []
        for order, t in enumerate(self.x.get("ltp_targets", [])):
            ed = programmes.get(t["condition"])
            if ed is None:
                raise ExtractionError(
                    f"{t['id']}: programme {t['condition']!r} has no editorial entry"
                )
            owner, owner_note = None, ""
            if ed.get("owner_board"):
                board = boards[ed["owner_board"]]
                group = next(
                    (g for g in board.get("groups", []) if g["name"] == ed.get("owner_group")),
                    None,
                )
                if group is None:
                    raise ExtractionError(
                        f"{t['id']}: {board['id']} has no group {ed.get('owner_group')!r}"
                    )
                owner = board["id"]
                where = self.cite(group["source"], t["id"])
                title = self.ed["documents"].get(where[0], {}).get("short_title", where[0])
                owner_note = " ".join(
                    x
                    for x in (
                        f"The documents name a {group['name']} working group among the "
                        f"{board['name']} ({title}, line {where[1]}).",
                        ed.get("owner_note", ""),
                    )
                    if x
                )
            source = self.cite(t["source"], t["id"])
            out.append(
                {
                    "key": slugify(t["id"].replace("_", "-")),
                    "programme": ed.get("name") or t["condition"],
                    "programme_slug": ed["slug"],
                    "text": t["target"],
                    "target_year": t.get("year") or "",
                    "year_qualifier": t.get("year_qualifier") or "",
                    "due_date": self.due_date(t.get("year"), t.get("year_qualifier")),
                    "owner_board": owner,
                    "owner_note": owner_note,
                    "figures": t.get("figures", []),
                    "note": self.noted(source),
                    "order": order,
                    "source": source,
                }
            )
        return out


def convert(extraction: dict, editorial: dict, line_counts: dict[str, int] | None = None) -> dict:
    """The portal fixture for one system; raises ExtractionError naming the bad record."""
    if extraction.get("meta", {}).get("schema_version") != "1.0":
        raise ExtractionError("only extraction schema 1.0 is understood")
    return Converter(extraction, editorial, line_counts).convert()
