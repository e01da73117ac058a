"""Loading a system's places-layer facts from the portal's fixture, idempotently, and the writer
every app's loader shares: it upserts rows, counts them, and cites the loaded documents."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q

from icsportal.history import create_all, update_all

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


@dataclass(frozen=True)
class Upsert:
    """One fixture row to write: the fields that find it, and the values it should hold."""

    lookup: dict
    values: dict


@dataclass
class UpsertPlan:
    """What writing a model's rows takes: the rows in order, those to create, those to update
    by the fields that changed, and how many are unchanged."""

    rows: list[Model] = field(default_factory=list)
    created: list[Model] = field(default_factory=list)
    updated: dict[tuple[str, ...], list[Model]] = field(default_factory=lambda: defaultdict(list))
    unchanged: int = 0


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
        """Create the row, or update only the fields that differ; count which it was."""
        return self.upsert_all(model, [Upsert(lookup, values)])[0]

    def upsert_all(self, model: type[Model], rows: list[Upsert]) -> list[Model]:
        """Create each row that is missing and update only the fields that differ of each that
        exists, in a few statements whatever the number of rows; count which each was; the
        rows, in order. Every row is checked before any is written. Text values name documents
        by their short titles (``prose``)."""
        plan = self._plan(model, rows)
        try:
            # A savepoint, so that a refusal can be explained below within the transaction.
            with transaction.atomic():
                create_all(model, plan.created)
                for fields, group in plan.updated.items():
                    update_all(model, group, list(fields))
        except IntegrityError as exc:
            for row, obj in zip(rows, plan.rows, strict=True):
                _constraints_check(obj, row.lookup)
            # Two rows of the fixture itself clash: the database's words name them.
            raise ValueError(f"{model._meta.verbose_name_plural}: {exc}") from exc
        name = model._meta.verbose_name_plural
        self.report.created[name] += len(plan.created)
        self.report.updated[name] += sum(len(group) for group in plan.updated.values())
        self.report.unchanged[name] += plan.unchanged
        return plan.rows

    def _plan(self, model: type[Model], rows: list[Upsert]) -> UpsertPlan:
        """What writing ``rows`` takes, each row checked; nothing is written yet."""
        found = _existing(model, [row.lookup for row in rows])
        plan = UpsertPlan()
        seen: set[tuple] = set()
        for row in rows:
            key = _lookup_key(row.lookup)
            if key in seen:
                raise ValueError(f"{_row_name(model, row.lookup)}: the fixture has it twice")
            seen.add(key)
            values = {k: self.prose(v) if isinstance(v, str) else v for k, v in row.values.items()}
            obj = found.get(key)
            if obj is None:
                obj = model(**row.lookup, **values)
                row_check(obj, row.lookup)
                plan.created.append(obj)
            elif changed := [k for k, v in values.items() if getattr(obj, k) != v]:
                for k in changed:
                    setattr(obj, k, values[k])
                row_check(obj, row.lookup)
                plan.updated[tuple(k.removesuffix("_id") for k in changed)].append(obj)
            else:
                plan.unchanged += 1
            plan.rows.append(obj)
        return plan

    def set_m2m_all(self, model: type[Model], attr: str, ids: dict[int, set[int]]) -> None:
        """Make ``<attr>`` of each row of ``model`` in ``ids`` ({pk: related pks}) exactly
        those, in three statements at most; count each row changed as an update."""
        through = getattr(model, attr).through
        # An automatic through model names its two keys after the models it joins.
        own = f"{model._meta.model_name}_id"
        other = f"{model._meta.get_field(attr).related_model._meta.model_name}_id"
        current: dict[int, set[int]] = defaultdict(set)
        links = through.objects.filter(**{f"{own}__in": ids}).values_list("pk", own, other)
        stale = []
        for pk, obj_id, related_id in links:
            if related_id in ids[obj_id]:
                current[obj_id].add(related_id)
            else:
                stale.append(pk)
        through.objects.filter(pk__in=stale).delete()
        through.objects.bulk_create(
            through(**{own: obj_id, other: related_id})
            for obj_id, wanted in ids.items()
            for related_id in wanted - current[obj_id]
        )
        verbose = model._meta.verbose_name
        for obj_id, wanted in ids.items():
            if current[obj_id] != wanted:
                self.report.updated[f"{verbose} {attr}"] += 1

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


def _lookup_key(lookup: dict) -> tuple:
    return tuple(sorted(lookup.items()))


def _row_name(model: type[Model], lookup: dict) -> str:
    """A row in words for a message: "fact system_id=3, key=fact_001"."""
    return f"{model._meta.verbose_name} " + ", ".join(f"{k}={v}" for k, v in lookup.items())


def _existing(model: type[Model], lookups: list[dict]) -> dict[tuple, Model]:
    """The rows of ``model`` that ``lookups`` find, by lookup, in one query per set of lookup
    fields: each field's values narrow the query, and the exact match is made here."""
    found: dict[tuple, Model] = {}
    by_fields: dict[tuple, list[dict]] = defaultdict(list)
    for lookup in lookups:
        by_fields[tuple(sorted(lookup))].append(lookup)
    for fields, group in by_fields.items():
        narrow = Q()
        for f in fields:
            values = {lookup[f] for lookup in group}
            either = Q(**{f"{f}__in": values - {None}})
            narrow &= (either | Q(**{f"{f}__isnull": True})) if None in values else either
        wanted = {_lookup_key(lookup) for lookup in group}
        for obj in model.objects.filter(narrow):
            key = tuple((f, getattr(obj, f)) for f in fields)
            if key in wanted:
                found[key] = obj
    return found


def _constraints_check(obj: Model, lookup: dict) -> None:
    """ValueError naming the row unless it keeps its model's constraints against the rows
    stored; run only when the database has refused a write, to say which row it was."""
    try:
        obj.validate_constraints()
    except ValidationError as exc:
        raise ValueError(f"{_row_name(type(obj), lookup)}: {' '.join(exc.messages)}") from exc


def row_check(obj: Model, lookup: dict) -> None:
    """ValueError naming the row and field unless ``obj``'s fields and rules hold. Foreign keys
    are not looked up: the loaders set them from rows they have just found or written, and the
    database checks them and every constraint again within the load's transaction."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.clean_fields(exclude=relations)
        obj.clean()
    except ValidationError as exc:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise ValueError(f"{_row_name(type(obj), lookup)}: {problems}") from exc


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
    """Load the system, its documents, Places, facts, priorities, data-quality flags and
    outcomes, every row found by its key within the system; the writer learns the documents
    for the loaders that follow."""
    s = fixture["system"]
    system_fields = {
        "slug": s["slug"],
        "name": s["name"],
        "short_name": s["short_name"],
        "description": s["description"],
        "aim": s["aim"],
        "tagline": s["tagline"],
        "population": s["population"],
        "population_as_written": s["population_as_written"],
        "is_synthetic": s.get("is_synthetic", False),
    }
    # The system first (its documents belong to it), then its citation of them.
    system = System.objects.filter(key=s["key"]).first() or writer.upsert(
        System, {"key": s["key"]}, system_fields
    )
    _documents_load(fixture=fixture, writer=writer, system=system)
    system = writer.upsert(System, {"key": s["key"]}, {**system_fields, **writer.src(s)})
    slugs_free_check(Place, system, {p["slug"]: p["key"] for p in fixture["places"]})
    rows = [
        Upsert(
            {"system_id": system.pk, "key": p["key"]},
            {
                "slug": p["slug"],
                "name": p["name"],
                "name_variants": p["name_variants"],
                "note": p["note"],
                **writer.src(p),
            },
        )
        for p in fixture["places"]
    ]
    places = {place.key: place for place in writer.upsert_all(Place, rows)}
    _facts_load(fixture=fixture, writer=writer, system=system, places=places)
    _outcomes_load(fixture=fixture, writer=writer, system=system)
    return PlacesLoaded(system=system, places=places)


def slugs_free_check(model: type[Model], system: System, slugs: dict[str, str]) -> None:
    """ValueError naming the record unless every slug (a page's URL) of ``slugs`` ({slug:
    fixture key}) is free of the rows of ``model`` in other systems: URLs name no system."""
    taken = (
        model.objects.filter(slug__in=slugs)
        .exclude(system=system)
        .values_list("slug", "system__name")
        .first()
    )
    if taken:
        slug, other = taken
        raise ValueError(
            f"{model._meta.verbose_name} {slugs[slug]}: slug {slug!r} is already used by "
            f"{other}; give it another slug in the editorial file"
        )


def _documents_load(*, fixture: dict, writer: FixtureWriter, system: System) -> None:
    writer.titles = {d["key"]: d["short_title"] for d in fixture["documents"]}
    rows = [
        Upsert(
            {"system_id": system.pk, "key": d["key"]},
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
        for d in fixture["documents"]
    ]
    writer.documents = {doc.key: doc.pk for doc in writer.upsert_all(Document, rows)}


def _facts_load(*, fixture: dict, writer: FixtureWriter, system: System, places: dict) -> None:
    facts = [
        Upsert(
            {"system_id": system.pk, "key": f["key"]},
            {
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
        for f in fixture["facts"]
    ]
    writer.upsert_all(Fact, facts)
    priorities = [
        Upsert(
            {"system_id": system.pk, "key": pr["key"]},
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
        for pr in fixture["priorities"]
    ]
    writer.upsert_all(Priority, priorities)
    flags = [
        Upsert(
            {"system_id": system.pk, "key": q["key"]},
            {"issue": q["issue"], "handling": q["handling"], **writer.src(q)},
        )
        for q in fixture["quality_flags"]
    ]
    writer.upsert_all(DataQualityFlag, flags)


def _outcomes_load(*, fixture: dict, writer: FixtureWriter, system: System) -> None:
    writer.upsert_all(
        Outcome, [_outcome_row(o, writer, system) for o in fixture.get("outcomes", [])]
    )


def _outcome_row(o: dict, writer: FixtureWriter, system: System) -> Upsert:
    statement = o.get("statement_source")
    return Upsert(
        {"system_id": system.pk, "key": o["key"]},
        {
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
