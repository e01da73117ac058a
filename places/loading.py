"""Loading a system's places-layer facts from the portal's fixture, idempotently, and the writer
every app's loader shares: it upserts rows, counts them, and cites the loaded documents."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Model

from .extraction import FORMAT
from .models import DataQualityFlag, Document, Fact, Outcome, Place, Priority, System


@dataclass
class LoadReport:
    """What a load did, per model: rows created, updated and left unchanged."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        names = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
            f"{self.unchanged[name]} unchanged"
            for name in names
        ]


def fixture_date(value: str | None) -> dt.date | None:
    """A fixture's ISO date, or None for an empty one."""
    return dt.date.fromisoformat(value) if value else None


class FixtureWriter:
    """Writes a fixture's rows: creates or updates each, counts which it was in one report, and
    turns a record's citation into its loaded document (every app cites places' documents)."""

    # A fixture's document key ("doc_002") as its notes name the documents.
    DOCUMENT_KEY = re.compile(r"\bdoc_\d+\b")

    def __init__(self) -> None:
        self.report = LoadReport()
        self.documents: dict[str, int] = {}
        self.titles: dict[str, str] = {}

    def prose(self, text: str) -> str:
        """``text`` with every document key the extraction wrote ("doc_002 line 195 says")
        replaced by the document's short title ("5-year plan line 195 says"): people read
        the portal, and a file key means nothing to them."""
        return self.DOCUMENT_KEY.sub(lambda m: self.titles.get(m[0], "another document"), text)

    def upsert(self, model: type[Model], lookup: dict, values: dict) -> Model:
        """Create the row, or update only the fields that differ; count which it was. Text
        values name documents by their short titles (``prose``)."""
        values = {k: self.prose(v) if isinstance(v, str) else v for k, v in values.items()}
        name = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.report.created[name] += 1
            return obj
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, values[k])
            obj.full_clean()
            obj.save(
                update_fields=[k.removesuffix("_id") if k.endswith("_id") else k for k in changed]
            )
            self.report.updated[name] += 1
        else:
            self.report.unchanged[name] += 1
        return obj

    def set_m2m(self, obj: Model, attr: str, ids: set[int]) -> None:
        """Make ``obj.<attr>`` exactly ``ids``, counting a change as an update."""
        manager = getattr(obj, attr)
        if set(manager.values_list("pk", flat=True)) != ids:
            manager.set(ids)
            self.report.updated[f"{obj._meta.verbose_name} {attr}"] += 1

    def count_unchanged(self, model: type[Model]) -> None:
        """Count a row the load found and deliberately left alone."""
        self.report.unchanged[model._meta.verbose_name_plural] += 1

    def src(self, item: dict, key: str = "source") -> dict:
        """The citation fields of a fixture record."""
        source = item.get(key)
        also = [{"document": d, "line": n} for d, n in item.get("also", []) if d]
        if not source:
            return {"source_document_id": None, "source_line": None, "also_sources": also}
        return {
            "source_document_id": self.documents[source[0]],
            "source_line": source[1],
            "also_sources": also,
        }


@dataclass(frozen=True)
class PlacesLoaded:
    """The rows of the places layer that the loaders above it refer to."""

    system: System
    places: dict[str, Place]


def fixture_check(fixture: dict) -> None:
    """ValueError unless ``fixture`` is in the portal's fixture format."""
    if fixture.get("format") != FORMAT:
        raise ValueError(f"not a portal fixture (format {fixture.get('format')!r})")


def places_load(*, fixture: dict, writer: FixtureWriter) -> PlacesLoaded:
    """Load the documents, the system, its Places, facts, priorities, data-quality flags and
    outcomes; the writer learns the documents for the loaders that follow."""
    writer.titles = {d["key"]: d["short_title"] for d in fixture["documents"]}
    for d in fixture["documents"]:
        doc = writer.upsert(
            Document,
            {"key": d["key"]},
            {
                "title": d["title"],
                "short_title": d["short_title"],
                "file_name": d["file_name"],
                "description": d["description"],
                "date": fixture_date(d["date"]),
                "date_note": d["date_note"],
                "is_draft": d["is_draft"],
                "line_count": d["line_count"],
            },
        )
        writer.documents[d["key"]] = doc.pk
    s = fixture["system"]
    system = writer.upsert(
        System,
        {"key": s["key"]},
        {
            "slug": s["slug"],
            "name": s["name"],
            "short_name": s["short_name"],
            "description": s["description"],
            "aim": s["aim"],
            "tagline": s["tagline"],
            "population": s["population"],
            "population_as_written": s["population_as_written"],
            **writer.src(s),
        },
    )
    places = {
        p["key"]: writer.upsert(
            Place,
            {"key": p["key"]},
            {
                "system_id": system.pk,
                "slug": p["slug"],
                "name": p["name"],
                "name_variants": p["name_variants"],
                "note": p["note"],
                **writer.src(p),
            },
        )
        for p in fixture["places"]
    }
    _facts_load(fixture=fixture, writer=writer, system=system, places=places)
    _outcomes_load(fixture=fixture, writer=writer, system=system)
    return PlacesLoaded(system=system, places=places)


def _facts_load(*, fixture: dict, writer: FixtureWriter, system: System, places: dict) -> None:
    for f in fixture["facts"]:
        writer.upsert(
            Fact,
            {"key": f["key"]},
            {
                "system_id": system.pk,
                "place_id": places[f["place"]].pk if f["place"] else None,
                "kind": f["kind"],
                "topic": f["topic"],
                "label": f["label"],
                "text": f["text"],
                "value": f["value"],
                "unit": f["unit"],
                "as_written": f["as_written"],
                "qualifier": f["qualifier"],
                "figures": f["figures"],
                "year": f["year"],
                "date": fixture_date(f.get("date")),
                "date_precision": f.get("date_precision", ""),
                "is_headline": f["is_headline"],
                "note": f["note"],
                "order": f["order"],
                **writer.src(f),
            },
        )
    for pr in fixture["priorities"]:
        writer.upsert(
            Priority,
            {"key": pr["key"]},
            {
                "place_id": places[pr["place"]].pk,
                "title": pr["title"],
                "description": pr["description"],
                "status": pr["status"],
                "period": pr["period"],
                "note": pr["note"],
                "order": pr["order"],
                **writer.src(pr),
            },
        )
    for q in fixture["quality_flags"]:
        writer.upsert(
            DataQualityFlag,
            {"key": q["key"]},
            {
                "system_id": system.pk,
                "issue": q["issue"],
                "handling": q["handling"],
                **writer.src(q),
            },
        )


def _outcomes_load(*, fixture: dict, writer: FixtureWriter, system: System) -> None:
    for o in fixture.get("outcomes", []):
        statement = o.get("statement_source")
        writer.upsert(
            Outcome,
            {"key": o["key"]},
            {
                "system_id": system.pk,
                "code": o["code"],
                "number": o["number"],
                "title": o["title"],
                "statement": o["statement"],
                "statement_document_id": writer.documents[statement[0]] if statement else None,
                "statement_line": statement[1] if statement else None,
                "note": o["note"],
                **writer.src(o),
            },
        )
