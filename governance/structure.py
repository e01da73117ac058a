"""The structure of a system, or of a Place, on a date: the Places, organisations and boards in
being that day (``icsportal.validity``), each board with that day's seats and chair as the
governance map draws them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from icsportal.validity import valid_on
from places.models import Place, System

from .list_views import board_rows, map_boards
from .models import Board, Organisation


@dataclass(frozen=True)
class SystemStructure:
    """A system on ``day``: the Places in it that day, its organisations and its boards (rows
    of ``board_rows``) in being."""

    day: dt.date
    places: list[Place]
    organisations: list[Organisation]
    boards: list[dict]


@dataclass(frozen=True)
class PlaceStructure:
    """A Place on ``day``: the system it belonged to, the organisations serving it and its
    boards (rows of ``board_rows``) in being."""

    day: dt.date
    system: System
    organisations: list[Organisation]
    boards: list[dict]


def boards_on(boards: QuerySet[Board], day: dt.date) -> list[dict]:
    """Those of ``boards`` in being on ``day``, by level and name, with that day's seats and
    chair (three queries)."""
    in_being = map_boards(boards.filter(valid_on(day)), day).order_by("level", "name")
    return board_rows(list(in_being), today=day)


def system_structure(system: System, day: dt.date) -> SystemStructure:
    """``system`` as it was on ``day`` (five queries)."""
    return SystemStructure(
        day=day,
        places=list(Place.objects.with_system_on(day).filter(system_on=system.pk).order_by("name")),
        organisations=list(
            Organisation.objects.filter(valid_on(day), system=system)
            .select_related("source_document")
            .order_by("name")
        ),
        boards=boards_on(Board.objects.filter(system=system), day),
    )


def place_structure(place: Place, day: dt.date) -> PlaceStructure:
    """``place`` as it was on ``day`` (five queries)."""
    system_id = (
        Place.objects.with_system_on(day).values_list("system_on", flat=True).get(pk=place.pk)
    )
    return PlaceStructure(
        day=day,
        system=place.system if system_id == place.system_id else System.objects.get(pk=system_id),
        organisations=list(
            place.organisations.filter(valid_on(day))
            .select_related("source_document")
            .order_by("name")
        ),
        boards=boards_on(Board.objects.filter(place=place), day),
    )
