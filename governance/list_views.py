"""The governance map: every board by level and Place, with the reporting lines drawn."""

from __future__ import annotations

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from icsportal.validity import InvalidAsAt, as_at_of
from places.pages import visible_systems

from .choices import BoardLevel, Role
from .filtersets import BoardFilterSet
from .models import Board, Membership, ReportingLine


def _in_force(day, prefix: str = "") -> Q:
    """Memberships in force on ``day`` (the condition of ``MembershipQuerySet.active_on``)."""
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def nhsuk_filter_form(form, *, text_fields=("q",)) -> None:
    """Give a FilterSet's form the NHS.UK input classes and an 'Any' empty choice."""
    for name, field in form.fields.items():
        field.widget.attrs["class"] = "nhsuk-input" if name in text_fields else "nhsuk-select"
        if hasattr(field, "empty_label"):
            field.empty_label = "Any"
        elif getattr(field, "choices", None):
            choices = list(field.choices)
            if choices and choices[0][0] in ("", None):
                field.choices = [("", "Any"), *choices[1:]]


def map_boards(boards: QuerySet[Board], day) -> QuerySet[Board]:
    """``boards`` ready for ``board_rows`` on ``day``: with their seats and vacancies that day
    counted by the database, not a query per board."""
    in_force = _in_force(day, "memberships__")
    # place and system: each row names them; source_document: each row's citation
    return boards.select_related("system", "place", "source_document").annotate(
        seats=Count("memberships", filter=in_force),
        vacancies=Count(
            "memberships",
            filter=in_force
            & Q(memberships__person__isnull=True, memberships__person_not_named=False),
        ),
    )


def board_rows(boards: list[Board], *, today) -> list[dict]:
    """Boards as rows with their chair and reporting lines: two queries, whatever the count."""
    ids = [b.pk for b in boards]
    chairs: dict[int, list[str]] = {}
    for m in (
        Membership.objects.active_on(today)
        .filter(board_id__in=ids, role__in=[Role.CHAIR, Role.CO_CHAIR])
        .select_related("person", "on_behalf_of")
    ):
        if m.person_id:
            who = m.person.name
        else:
            who = "Not named in the source" if m.person_not_named else "Vacant"
        if m.on_behalf_of_id:
            who = f"{who} ({m.on_behalf_of.name})"
        chairs.setdefault(m.board_id, []).append(who)
    parents: dict[int, list[dict]] = {}
    for board_id, parent_id, name, slug in (
        ReportingLine.objects.filter(board_id__in=ids)
        .order_by("board_id", "order", "reports_to_id")
        .values_list("board_id", "reports_to_id", "reports_to__name", "reports_to__slug")
    ):
        parents.setdefault(board_id, []).append(
            {"id": parent_id, "name": name, "url": Board(slug=slug).get_absolute_url()}
        )
    return [
        {
            "id": b.pk,
            "slug": b.slug,
            "name": b.name,
            "abbreviation": b.abbreviation,
            "url": b.get_absolute_url(),
            "level": b.level,
            "level_label": b.get_level_display(),
            "system": b.system.name,
            "place": b.place.name if b.place_id else "",
            "place_url": b.place.get_absolute_url() if b.place_id else "",
            "status": b.status,
            "status_label": b.get_status_display(),
            "seats": b.seats,
            "vacancies": b.vacancies,
            "chair": "; ".join(chairs.get(b.pk, [])),
            "reports_to": parents.get(b.pk, []),
            "citation": b.citation,
        }
        for b in boards
    ]


def reporting_tree(rows: list[dict]) -> list[dict]:
    """The rows in the order of a nested list drawn from the reporting lines.

    A board goes under the first board it reports to that is on the list (it may report to
    more; the others are named beside it). Each item says how deep it sits, whether a nested
    list opens after it, and how many nested lists close after it.
    """
    by_id = {r["id"]: r for r in rows}
    children: dict[int, list[dict]] = {}
    roots = []
    for r in rows:
        parent = next((p["id"] for p in r["reports_to"] if p["id"] in by_id), None)
        if parent is None:
            roots.append(r)
        else:
            children.setdefault(parent, []).append(r)
    order: list[tuple[dict, int]] = []
    seen: set[int] = set()

    def walk(row: dict, depth: int) -> None:
        seen.add(row["id"])
        order.append((row, depth))
        for child in children.get(row["id"], []):
            if child["id"] not in seen:
                walk(child, depth + 1)

    levels = [value for value, _ in BoardLevel.choices]
    roots.sort(key=lambda r: (levels.index(r["level"]) if r["level"] in levels else 99, r["name"]))
    for root in roots:
        walk(root, 0)
    # Boards that report only to each other in a loop have no root: list them at the top.
    for r in rows:
        if r["id"] not in seen:
            walk(r, 0)
    items = []
    for k, (row, depth) in enumerate(order):
        next_depth = order[k + 1][1] if k + 1 < len(order) else 0
        shown_under = next(
            (p["id"] for p in row["reports_to"] if p["id"] in by_id and depth > 0), None
        )
        items.append(
            {
                **row,
                "depth": depth,
                "opens": next_depth > depth,
                "closes": range(max(0, depth - next_depth)),
                "also_reports_to": [p for p in row["reports_to"] if p["id"] != shown_under],
            }
        )
    return items


def grouped(rows: list[dict]) -> list[dict]:
    """Rows grouped by level (in the order of BoardLevel), then by system and Place (none
    first)."""
    groups = []
    for level, label in BoardLevel.choices:
        in_level = [r for r in rows if r["level"] == level]
        if not in_level:
            continue
        places: dict[tuple[str, str], list[dict]] = {}
        for r in sorted(in_level, key=lambda r: (r["system"], r["place"], r["name"])):
            places.setdefault((r["system"], r["place"]), []).append(r)
        groups.append(
            {
                "label": label,
                "level": level,
                "places": [
                    {"system": system, "place": p, "boards": b} for (system, p), b in places.items()
                ],
                "count": len(in_level),
            }
        )
    return groups


def trees_by_system(rows: list[dict]) -> list[dict]:
    """The reporting tree of each system's rows, systems in the rows' order (a board reports
    only to boards of its own system)."""
    systems: dict[str, list[dict]] = {}
    for r in rows:
        systems.setdefault(r["system"], []).append(r)
    return [{"system": name, "tree": reporting_tree(rs)} for name, rs in systems.items()]


# The boards list shows one system's boards on one page (about 15 at England scale, 65 in
# C&W), or a page of the boards that match the filters across every system: 630 boards were
# 1.1 MB of HTML; a page of 100 was 265 KB, most of it the filter form's choices of every
# Place and board.
BOARDS_PER_PAGE = 50


def as_at_param(data) -> None:
    """Pages take ``active_on`` as ``as_at`` (the API's alias); the form shows one field."""
    alias = data.pop("active_on", [""])[-1]
    if alias and not data.get("as_at"):
        data["as_at"] = alias


def as_at_date(data):
    """The ``as_at`` date of a page's query, read as the API reads it, or None (absent or not
    a date: the form says which)."""
    try:
        return as_at_of(data)
    except InvalidAsAt:
        return None


class BoardListView(TemplateView):
    """The boards of one system (``?system=<slug>``, the first by name when no filter is
    given), grouped by level and Place, filterable with the API's BoardFilterSet; a filter
    without a system searches every system, 50 boards a page (``?page=``). ``?as_at=`` draws
    the map for a date: the boards in being then, with the seats and chairs of that day."""

    template_name = "governance/board_list.html"

    def get_context_data(self, **kwargs):
        data = self.request.GET.copy()
        as_at_param(data)
        as_at = as_at_date(data)
        today = as_at or timezone.localdate()
        # A date alone still shows one system, as without one.
        filters = [
            name
            for name in BoardFilterSet.base_filters
            if name not in ("system", "as_at", "active_on")
        ]
        filtered = any(data.get(name) for name in filters)
        if "system" not in data and not filtered:
            first = visible_systems(self.request.user).values_list("slug", flat=True).first()
            if first:
                data["system"] = first
        queryset = map_boards(Board.objects.all(), today).order_by("system__name", "level", "name")
        filterset = BoardFilterSet(data or None, queryset=queryset)
        del filterset.form.fields["active_on"]
        nhsuk_filter_form(filterset.form, text_fields=("q", "as_at"))
        system = filterset.form.cleaned_data.get("system") if filterset.is_valid() else None
        if system is None:
            paginator = Paginator(filterset.qs, BOARDS_PER_PAGE)
        else:
            # One system's boards on one page, so that its reporting tree is whole.
            boards = list(filterset.qs)
            paginator = Paginator(boards, max(len(boards), 1))
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page of boards.") from None
        rows = board_rows(list(page.object_list), today=today)
        return super().get_context_data(
            filter=filterset,
            filtered=filtered,
            system=system,
            as_at=as_at,
            page_obj=page,
            rows=rows,
            trees=trees_by_system(rows),
            groups=grouped(rows),
            several_systems=len({r["system"] for r in rows}) > 1,
            nav_section="boards",
            **kwargs,
        )
