"""Reads for the risk register, a risk's page, the boards' risk lists and the commitments."""

from __future__ import annotations

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from governance.models import Board, Organisation
from icsportal.notes import notes_once, without_said
from metrics.choices import SubjectType
from metrics.models import SeriesSummary
from metrics.selectors import CONCERN_VARIATIONS, latest_snapshots, subject_name
from places.models import Document

from .choices import CommitmentStatus, RiskRating
from .models import Commitment, MitigatingAction, Risk, RiskEscalation, RiskMetric

CONSISTENT_FAIL = "consistent_fail"


def risks_for_pages() -> QuerySet[Risk]:
    """Risks with what every register row and risk page shows, in a fixed number of queries."""
    # owner_board, place, source_document: named and cited on every row; metric_links: the
    # evidence; actions: listed with owners and due dates; open_escalations: where it sits now.
    return (
        Risk.objects.with_rating()
        .select_related("system", "place", "owner_board", "source_document")
        .prefetch_related(
            Prefetch("metric_links", queryset=RiskMetric.objects.select_related("metric")),
            Prefetch("actions", queryset=MitigatingAction.objects.order_by("due_date", "id")),
            Prefetch(
                "escalations",
                queryset=RiskEscalation.objects.filter(de_escalated_at__isnull=True)
                .select_related("board")
                .order_by("-escalated_at"),
                to_attr="open_escalations",
            ),
        )
    )


def review_prompts(risks: list[Risk]) -> dict[int, list[dict]]:
    """For each risk, the linked series whose latest snapshot shows special-cause concern or a
    consistent fail, published since the risk's last review (its prompt to review the rating).

    Three queries, whatever the number of risks or metrics: the last review of each risk, the
    flagged summaries of the linked metrics, and which Places each organisation serves.
    """
    metric_risks: dict[int, list[Risk]] = {}
    for risk in risks:
        for link in risk.metric_links.all():
            metric_risks.setdefault(link.metric_id, []).append(risk)
    if not metric_risks:
        return {}
    last_review = dict(
        Risk.objects.filter(pk__in=[r.pk for r in risks])
        .annotate(last=Max("reviews__reviewed_at"))
        .values_list("pk", "last")
    )
    systems = {r.system_id for r in risks}
    summaries = (
        SeriesSummary.objects.filter(
            snapshot__in=latest_snapshots().filter(system_id__in=systems),
            series__metric_id__in=list(metric_risks),
        )
        .filter(Q(variation__in=CONCERN_VARIATIONS) | Q(assurance=CONSISTENT_FAIL))
        .select_related(
            "snapshot", "series__metric", "series__place", "series__organisation", "series__system"
        )
        .order_by("series__metric__code", "series_id")
    )
    summaries = list(summaries)
    serves: dict[int, set[int]] = {}
    org_ids = {s.series.organisation_id for s in summaries if s.series.organisation_id}
    if org_ids:
        for org_id, place_id in Organisation.places.through.objects.filter(
            organisation_id__in=org_ids
        ).values_list("organisation_id", "place_id"):
            serves.setdefault(org_id, set()).add(place_id)
    prompts: dict[int, list[dict]] = {}
    for summary in summaries:
        series = summary.series
        for risk in metric_risks.get(series.metric_id, []):
            if risk.place_id is not None:
                # A Place's risk: its own series and those of the organisations serving it.
                in_scope = series.place_id == risk.place_id or (
                    series.subject_type == SubjectType.ORGANISATION
                    and risk.place_id in serves.get(series.organisation_id, set())
                )
                if not in_scope:
                    continue
            reviewed = last_review.get(risk.pk)
            if reviewed is not None and reviewed >= summary.snapshot.published_at:
                continue
            prompts.setdefault(risk.pk, []).append(
                {
                    "series": series.pk,
                    "metric": series.metric.code,
                    "metric_name": series.metric.short_name,
                    "url": series.metric.get_absolute_url() + f"#series-{series.pk}",
                    "subject": subject_name(series),
                    "variation": summary.variation,
                    "assurance": summary.assurance,
                    "concern": summary.variation in CONCERN_VARIATIONS,
                    "consistent_fail": summary.assurance == CONSISTENT_FAIL,
                    "published_at": summary.snapshot.published_at.isoformat(),
                }
            )
    return prompts


def also_citations(risk: Risk) -> list[str]:
    """The risk's corroborating mentions as 'Short title, line N' (one query)."""
    keys = {a.get("document") for a in risk.also_sources or []}
    titles = dict(Document.objects.filter(key__in=keys).values_list("key", "short_title"))
    return [
        f"{titles.get(a['document'], a['document'])}, line {a['line']}"
        for a in risk.also_sources or []
        if a.get("document")
    ]


def risk_history(risk: Risk) -> list[dict]:
    """Every recorded change of the risk, its actions and its metric links, newest first."""
    rows = []
    for model_history, what in (
        (Risk.history.filter(id=risk.pk), "Risk"),
        (MitigatingAction.history.filter(risk_id=risk.pk), "Action"),
        (RiskMetric.history.filter(risk_id=risk.pk), "Linked metric"),
    ):
        for h in model_history.select_related("history_user").order_by("-history_date"):
            rows.append(
                {
                    "when": h.history_date,
                    "who": h.history_user.get_username() if h.history_user else "The data load",
                    "what": what,
                    "kind": {"+": "Created", "~": "Changed", "-": "Removed"}[h.history_type],
                    "reason": h.history_change_reason or "",
                }
            )
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows


def board_risks(board: Board) -> dict:
    """The risks a board owns and those escalated to it (open and past), for its page."""
    owned = list(risks_for_pages().filter(owner_board=board).order_by("key"))
    escalations = list(
        RiskEscalation.objects.filter(Q(board=board) | Q(risk__owner_board=board))
        .select_related("risk__system", "board", "escalated_by", "de_escalated_by")
        .order_by("-escalated_at", "-id")
    )
    return {"owned": owned, "escalations": escalations}


def commitments_for_pages() -> QuerySet[Commitment]:
    # owner_board, source_document: named and cited on every row
    return Commitment.objects.select_related("owner_board", "source_document", "system")


def commitment_groups(commitments, *, today=None) -> list[dict]:
    """Commitments grouped by programme, each flagged when overdue."""
    today = today or timezone.localdate()
    groups: dict[str, dict] = {}
    for c in commitments:
        group = groups.setdefault(
            c.programme_slug, {"programme": c.programme, "slug": c.programme_slug, "rows": []}
        )
        group["rows"].append({"commitment": c, "overdue": c.is_overdue(today)})
    for group in groups.values():
        group["overdue"] = sum(r["overdue"] for r in group["rows"])
        # How each owner was chosen, and the notes: said once for the programme, not per row,
        # less what a data-quality flag beside a row (``flags``, when attached) says already.
        commitments = [r["commitment"] for r in group["rows"]]
        group["notes"] = without_said(
            notes_once(
                commitments, label=lambda c: c.text, note=lambda c: f"{c.owner_note} {c.note}"
            ),
            [flag["issue"] for c in commitments for flag in getattr(c, "flags", [])],
        )
    return list(groups.values())


def rating_counts(risks) -> dict[str, int]:
    counts = {value: 0 for value in RiskRating.values}
    for risk in risks:
        counts[risk.rating_value] += 1
    return counts


__all__ = [
    "CommitmentStatus",
    "also_citations",
    "board_risks",
    "commitment_groups",
    "commitments_for_pages",
    "rating_counts",
    "review_prompts",
    "risk_history",
    "risks_for_pages",
]
