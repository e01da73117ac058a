"""Loading a system's facts from the portal's fixture, idempotently."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Model

from governance.choices import RiskStatus
from governance.models import (
    Appointment,
    Board,
    BoardStatement,
    Commitment,
    EscalationRoute,
    Membership,
    Organisation,
    Person,
    ReportingLine,
    Risk,
)
from metrics.choices import Provenance
from metrics.models import (
    HICMAssessment,
    HighImpactChange,
    Metric,
    MetricStatement,
    Observation,
    Series,
    Target,
)

from .extraction import FORMAT
from .models import (
    DataQualityFlag,
    Document,
    Fact,
    FinanceFigure,
    FinancePrinciple,
    Outcome,
    Place,
    Priority,
    System,
)


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


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class _Loader:
    def __init__(self, fixture: dict):
        self.f = fixture
        self.report = LoadReport()
        self.documents: dict[str, int] = {}

    def upsert(self, model: type[Model], lookup: dict, values: dict) -> Model:
        """Create the row, or update only the fields that differ; count which it was."""
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
        manager = getattr(obj, attr)
        if set(manager.values_list("pk", flat=True)) != ids:
            manager.set(ids)
            self.report.updated[f"{obj._meta.verbose_name} {attr}"] += 1

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

    def load(self) -> LoadReport:
        if self.f.get("format") != FORMAT:
            raise ValueError(f"not a portal fixture (format {self.f.get('format')!r})")
        for d in self.f["documents"]:
            doc = self.upsert(
                Document,
                {"key": d["key"]},
                {
                    "title": d["title"],
                    "short_title": d["short_title"],
                    "file_name": d["file_name"],
                    "description": d["description"],
                    "date": _date(d["date"]),
                    "date_note": d["date_note"],
                    "is_draft": d["is_draft"],
                    "line_count": d["line_count"],
                },
            )
            self.documents[d["key"]] = doc.pk
        s = self.f["system"]
        system = self.upsert(
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
                **self.src(s),
            },
        )
        places = {}
        for p in self.f["places"]:
            places[p["key"]] = self.upsert(
                Place,
                {"key": p["key"]},
                {
                    "system_id": system.pk,
                    "slug": p["slug"],
                    "name": p["name"],
                    "name_variants": p["name_variants"],
                    "note": p["note"],
                    **self.src(p),
                },
            )
        for f in self.f["facts"]:
            self.upsert(
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
                    "is_headline": f["is_headline"],
                    "note": f["note"],
                    "order": f["order"],
                    **self.src(f),
                },
            )
        for pr in self.f["priorities"]:
            self.upsert(
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
                    **self.src(pr),
                },
            )
        orgs = {}
        for o in self.f["organisations"]:
            org = self.upsert(
                Organisation,
                {"key": o["key"]},
                {
                    "system_id": system.pk,
                    "name": o["name"],
                    "abbreviation": o["abbreviation"],
                    "kind": o["kind"],
                    "subtype": o["subtype"],
                    "is_collective": o["is_collective"],
                    "name_variants": o["name_variants"],
                    "note": o["note"],
                    **self.src(o),
                },
            )
            self.set_m2m(org, "places", {places[k].pk for k in o["places"]})
            orgs[o["key"]] = org
        boards = {}
        for b in self.f["boards"]:
            boards[b["key"]] = self.upsert(
                Board,
                {"key": b["key"]},
                {
                    "system_id": system.pk,
                    "slug": b["slug"],
                    "name": b["name"],
                    "abbreviation": b["abbreviation"],
                    "level": b["level"],
                    "place_id": places[b["place"]].pk if b["place"] else None,
                    "purpose": b["purpose"],
                    "meeting_frequency": b["meeting_frequency"],
                    "chair_arrangement": b["chair_arrangement"],
                    "status": b["status"],
                    "status_as_written": b["status_as_written"],
                    "established": b["established"],
                    "name_variants": b["name_variants"],
                    "note": b["note"],
                    **self.src(b),
                },
            )
        for b in self.f["boards"]:
            board = boards[b["key"]]
            self.set_m2m(
                board, "required_organisations", {orgs[k].pk for k in b["required_organisations"]}
            )
            for order, line in enumerate(b["reporting_lines"]):
                self.upsert(
                    ReportingLine,
                    {"board_id": board.pk, "reports_to_id": boards[line["to"]].pk},
                    {"order": order, **self.src(line)},
                )
            for order, st in enumerate(b["statements"]):
                self.upsert(
                    BoardStatement,
                    {"board_id": board.pk, "kind": st["kind"], "order": order},
                    {"text": st["text"], "note": st["note"], **self.src(st)},
                )
        people = {}
        for p in self.f["people"]:
            person = self.upsert(
                Person,
                {"key": p["key"]},
                {
                    "name": p["name"],
                    "name_variants": p["name_variants"],
                    "identity_note": p["identity_note"],
                    **self.src(p),
                },
            )
            people[p["key"]] = person
            for a in p["appointments"]:
                self.upsert(
                    Appointment,
                    {"person_id": person.pk, "title": a["title"]},
                    {
                        "organisation_id": orgs[a["organisation"]].pk
                        if a["organisation"]
                        else None,
                        "as_at": _date(a["as_at"]),
                        "as_at_text": a["as_at_text"],
                        **self.src(a),
                    },
                )
        for m in self.f["memberships"]:
            origin = f"{m['board']}/{m['person'] or m['on_behalf_of']}"
            # A seat a board secretary has since changed is theirs: reloading creates a missing
            # seat but never overwrites one that exists.
            if Membership.objects.filter(origin_key=origin).exists():
                self.report.unchanged[Membership._meta.verbose_name_plural] += 1
                continue
            self.upsert(
                Membership,
                {"origin_key": origin},
                {
                    "board_id": boards[m["board"]].pk,
                    "person_id": people[m["person"]].pk if m["person"] else None,
                    "on_behalf_of_id": orgs[m["on_behalf_of"]].pk if m["on_behalf_of"] else None,
                    "role": m["role"],
                    "label": m["label"],
                    "voting": m["voting"],
                    "person_not_named": m["person_not_named"],
                    "start_date": _date(m["start_date"]),
                    "end_date": _date(m["end_date"]),
                    "note": m["note"],
                    **self.src(m),
                },
            )
        self.load_metrics(system, places, orgs, boards)
        for h in self.f["hicm"]:
            change = self.upsert(
                HighImpactChange,
                {"system_id": system.pk, "number": h["number"]},
                {
                    "name": h["name"],
                    "area": h["area"],
                    "plan_text": h["plan_text"],
                    "note": h["note"],
                    **self.src(h),
                },
            )
            for a in h["assessments"]:
                self.upsert(
                    HICMAssessment,
                    {"change_id": change.pk, "kind": a["kind"], "as_at_label": a["as_at_label"]},
                    {"as_at": _date(a["as_at"]), "maturity": a["maturity"], **self.src(a)},
                )
        for q in self.f["quality_flags"]:
            self.upsert(
                DataQualityFlag,
                {"key": q["key"]},
                {
                    "system_id": system.pk,
                    "issue": q["issue"],
                    "handling": q["handling"],
                    **self.src(q),
                },
            )
        self.load_outcomes_and_finance(system, places, orgs)
        self.load_risks_and_commitments(system, boards)
        return self.report

    def load_outcomes_and_finance(self, system, places, orgs) -> None:
        for o in self.f.get("outcomes", []):
            statement = o.get("statement_source")
            self.upsert(
                Outcome,
                {"key": o["key"]},
                {
                    "system_id": system.pk,
                    "code": o["code"],
                    "number": o["number"],
                    "title": o["title"],
                    "statement": o["statement"],
                    "statement_document_id": self.documents[statement[0]] if statement else None,
                    "statement_line": statement[1] if statement else None,
                    "note": o["note"],
                    **self.src(o),
                },
            )
        finance = self.f.get("finance") or {}
        figures: dict[str, FinanceFigure] = {}
        # Parents first: a part names the figure it belongs to.
        for f in sorted(finance.get("figures", []), key=lambda f: f["parent"] is not None):
            figures[f["key"]] = self.upsert(
                FinanceFigure,
                {"key": f["key"]},
                {
                    "system_id": system.pk,
                    "place_id": places[f["place"]].pk if f["place"] else None,
                    "organisation_id": orgs[f["organisation"]].pk if f["organisation"] else None,
                    "parent_id": figures[f["parent"]].pk if f["parent"] else None,
                    "kind": f["kind"],
                    "label": f["label"],
                    "area": f["area"],
                    "value": f["value"],
                    "unit": f["unit"],
                    "as_written": f["as_written"],
                    "qualifier": f["qualifier"],
                    "period": f["period"],
                    "basis": f["basis"],
                    "note": f["note"],
                    "order": f["order"],
                    **self.src(f),
                },
            )
        for p in finance.get("principles", []):
            self.upsert(
                FinancePrinciple,
                {"system_id": system.pk, "number": p["number"]},
                {"text": p["text"], **self.src(p)},
            )

    def load_risks_and_commitments(self, system, boards) -> None:
        route = self.f.get("escalation_route")
        if route:
            self.upsert(
                EscalationRoute,
                {"system_id": system.pk},
                {"board_id": boards[route["board"]].pk, "text": route["text"], **self.src(route)},
            )
        for r in self.f.get("risks", []):
            values = {
                "title": r["title"],
                "description": r["description"],
                "identified": r["identified"],
                "note": r["note"],
                **self.src(r),
            }
            # Scores, owner, status and review date are people's decisions: a reload sets
            # them only on a risk it creates, and never overwrites them.
            if not Risk.objects.filter(key=r["key"]).exists():
                values.update(system_id=system.pk, status=RiskStatus.IDENTIFIED)
            self.upsert(Risk, {"key": r["key"]}, values)
        for c in self.f.get("commitments", []):
            values = {
                "programme": c["programme"],
                "programme_slug": c["programme_slug"],
                "text": c["text"],
                "target_year": c["target_year"],
                "year_qualifier": c["year_qualifier"],
                "due_date": _date(c["due_date"]),
                "owner_note": c["owner_note"],
                "figures": c["figures"],
                "note": c["note"],
                "order": c["order"],
                **self.src(c),
            }
            # The owner and status are kept by people once loaded; a reload leaves them.
            if not Commitment.objects.filter(key=c["key"]).exists():
                values.update(
                    system_id=system.pk,
                    owner_board_id=boards[c["owner_board"]].pk if c["owner_board"] else None,
                )
            self.upsert(Commitment, {"key": c["key"]}, values)

    def load_metrics(self, system, places, orgs, boards) -> None:
        def series_for(metric, subject_type, subject):
            lookup = {"metric_id": metric.pk, "subject_type": subject_type}
            if subject_type == "organisation":
                lookup["organisation_id"] = orgs[subject].pk
            elif subject_type == "place":
                lookup["place_id"] = places[subject].pk
            else:
                lookup["system_id"] = system.pk
            return self.upsert(Series, lookup, {})

        for m in self.f["metrics"]:
            metric = self.upsert(
                Metric,
                {"code": m["code"]},
                {
                    "name": m["name"],
                    "short_name": m["short_name"],
                    "abbreviation": m["abbreviation"],
                    "definition": m["definition"],
                    "unit": m["unit"],
                    "unit_note": m["unit_note"],
                    "polarity": m["polarity"],
                    "polarity_basis": m["polarity_basis"],
                    "frequency": m["frequency"],
                    "category": m["category"],
                    "owner_board_id": boards[m["owner_board"]].pk if m["owner_board"] else None,
                    "outcome": m["outcome"],
                    "decimal_places": m["decimal_places"],
                    "minimum": m["minimum"],
                    "maximum": m["maximum"],
                    **self.src(m),
                },
            )
            for t in m["targets"]:
                series = series_for(metric, t["subject_type"], t["subject"])
                self.upsert(
                    Target,
                    {"series_id": series.pk, "period_start": _date(t["period_start"])},
                    {
                        "period_end": _date(t["period_end"]),
                        "period_label": t["period_label"],
                        "value": t["value"],
                        "as_written": t["as_written"],
                        "note": t["note"],
                        **self.src(t),
                    },
                )
            for o in m["observations"]:
                series = series_for(metric, o["subject_type"], o["subject"])
                self.upsert(
                    Observation,
                    {"series_id": series.pk, "period_start": _date(o["period_start"])},
                    {
                        "period_end": _date(o["period_end"]),
                        "value": o["value"],
                        "provenance": Provenance.DOCUMENT,
                        "as_written": o["as_written"],
                        "note": o["note"],
                        **self.src(o),
                    },
                )
            for order, st in enumerate(m["statements"]):
                self.upsert(
                    MetricStatement,
                    {"metric_id": metric.pk, "kind": st["kind"], "order": order},
                    {
                        "area": st["area"],
                        "period_label": st["period_label"],
                        "text": st["text"],
                        "value": st["value"],
                        "unit": st["unit"],
                        "note": st["note"],
                        **self.src(st),
                    },
                )


@transaction.atomic
def system_load(*, fixture: dict) -> LoadReport:
    """Load a system from a portal fixture; a second load of the same fixture changes nothing."""
    return _Loader(fixture).load()
