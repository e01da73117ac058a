"""The board pack of a meeting, built from what the board's own data said before it.

Metrics come from published snapshots (never a fresh SPC run), up to the moment the pack was
published (or now, before then), so a pack published once keeps showing what the board saw.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from governance.choices import ActionStatus, MeetingStatus
from governance.meeting_selectors import ConflictPrompt, items_for, meeting_conflicts
from governance.models import Action, AgendaItem, Meeting
from governance.permissions import can_read_private
from governance.selectors import BoardChanges, board_changes_between
from metrics.choices import SnapshotStatus
from metrics.models import Metric, SeriesSummary

from .models import Risk, RiskReview

CONCERN_VARIATIONS = ("concern_high", "concern_low")
FAILING_ASSURANCE = "consistent_fail"


@dataclass
class PackMetric:
    """A series of one of the board's metrics whose latest snapshot gives cause for concern."""

    summary: SeriesSummary
    reasons: list[str]
    # The series' SPC chart as the metric page draws it (metrics.selectors.snapshot_charts);
    # filled in for the pack page only.
    chart: dict | None = None

    @property
    def series(self):
        return self.summary.series

    @property
    def spark(self) -> dict:
        recent = self.summary.points.get("recent") or {}
        values = recent.get("values") or []
        types = (self.summary.points.get("types") or "")[-len(values) :] if values else ""
        return {"values": values, "types": types, "label": f"Recent trend of {self.series}"}


@dataclass
class PackRisk:
    risk: Risk
    because: list[str]
    reviews: list[RiskReview] = field(default_factory=list)


@dataclass
class Pack:
    meeting: Meeting
    previous: Meeting | None
    cut_off: dt.datetime
    items: list[AgendaItem]
    metrics: list[PackMetric]
    risks: list[PackRisk]
    changes: BoardChanges
    actions: list[Action]
    conflicts: list[ConflictPrompt]
    today: dt.date

    @property
    def since(self) -> dt.datetime | None:
        return self.previous.start if self.previous else None


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The board's last meeting before this one that was not cancelled."""
    return (
        Meeting.objects.filter(board_id=meeting.board_id, start__lt=meeting.start)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-start", "-id")
        .first()
    )


def _concerning(metric_ids, since, cut_off) -> list[PackMetric]:
    summaries = (
        SeriesSummary.objects.filter(
            series__metric_id__in=metric_ids,
            snapshot__status=SnapshotStatus.PUBLISHED,
            snapshot__published_at__lte=cut_off,
        )
        .select_related(
            "snapshot", "series__metric", "series__system", "series__place", "series__organisation"
        )
        .order_by("series_id", "-snapshot__published_at", "-id")
    )
    if since is not None:
        summaries = summaries.filter(snapshot__published_at__gt=since)
    found, seen = [], set()
    for summary in summaries:
        if summary.series_id in seen:
            continue
        seen.add(summary.series_id)
        reasons = []
        if summary.variation in CONCERN_VARIATIONS:
            reasons.append("special-cause concern")
        if summary.assurance == FAILING_ASSURANCE:
            reasons.append("failing the target consistently")
        if reasons:
            found.append(PackMetric(summary=summary, reasons=reasons))
    return sorted(found, key=lambda m: (m.series.metric.name, str(m.series.subject)))


def _risks(items, metrics: list[PackMetric], since, cut_off) -> list[PackRisk]:
    by_risk: dict[int, PackRisk] = {}
    metric_ids = {m.series.metric_id for m in metrics}
    for risk in (
        Risk.objects.filter(Q(metric_links__metric_id__in=metric_ids))
        .distinct()
        # system: each risk's link names it
        .select_related("system")
        .prefetch_related("metrics")
    ):
        names = sorted(m.name for m in risk.metrics.all() if m.pk in metric_ids)
        by_risk[risk.pk] = PackRisk(risk=risk, because=[f"linked to {n}" for n in names])
    for item in items:
        for link in item.risk_links.all():
            entry = by_risk.setdefault(link.risk_id, PackRisk(risk=link.risk, because=[]))
            entry.because.append(f"on the agenda at item {item.number}")
    reviews = RiskReview.objects.filter(risk_id__in=by_risk, reviewed_at__lte=cut_off)
    if since is not None:
        reviews = reviews.filter(reviewed_at__gt=since)
    for review in reviews.order_by("reviewed_at", "id"):
        by_risk[review.risk_id].reviews.append(review)
    return sorted(by_risk.values(), key=lambda r: r.risk.title)


def build_pack(meeting: Meeting, user, *, now: dt.datetime | None = None) -> Pack:
    """The pack of ``meeting`` as ``user`` may read it (private items only for those who may)."""
    now = now or timezone.now()
    cut_off = meeting.pack_published_at or now
    previous = previous_meeting(meeting)
    since = previous.start if previous else None
    items = list(
        items_for(user)
        .filter(meeting=meeting)
        .select_related("decision")
        .prefetch_related(
            "organisations", "papers", "metric_links__metric", "risk_links__risk__system"
        )
        .order_by("number", "id")
    )
    metric_ids = set(
        # The board owns the metric in its system (or owned it first, for one no system uses).
        Metric.objects.filter(
            Q(uses__owner_board_id=meeting.board_id) | Q(owner_board_id=meeting.board_id, uses=None)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    metric_ids |= {link.metric_id for item in items for link in item.metric_links.all()}
    metrics = _concerning(metric_ids, since, cut_off)
    today = timezone.localdate(now)
    meeting_day = timezone.localtime(meeting.start).date()
    changes_from = (
        timezone.localtime(since).date() if since else meeting_day - dt.timedelta(days=90)
    )
    private = can_read_private(user, meeting.board_id)
    actions = Action.objects.filter(board_id=meeting.board_id, status=ActionStatus.OPEN)
    if not private:
        actions = actions.filter(
            (Q(meeting__isnull=True) | Q(meeting__is_public=True))
            & (Q(item__isnull=True) | Q(item__is_public=True))
        )
    return Pack(
        meeting=meeting,
        previous=previous,
        cut_off=cut_off,
        items=items,
        metrics=metrics,
        risks=_risks(items, metrics, since, cut_off),
        changes=board_changes_between(meeting.board, changes_from, meeting_day),
        actions=list(actions.order_by("due_date", "id")),
        # Prompts name members' interests against private items too: as on the meeting page.
        conflicts=meeting_conflicts(meeting, items) if private else [],
        today=today,
    )
