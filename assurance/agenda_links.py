"""Which metrics and risks an agenda item covers: the board's secretaries and admins link them."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError

from governance.meetings import ONLY_MEETING_EDITORS
from governance.models import AgendaItem
from governance.permissions import can_edit_board
from metrics.models import Metric

from .models import AgendaItemMetric, AgendaItemRisk, Risk


def _require_editor(actor: AbstractBaseUser, item: AgendaItem) -> None:
    if not can_edit_board(actor, item.meeting.board_id):
        raise PermissionDenied(ONLY_MEETING_EDITORS)


def agenda_item_metric_link(
    *, actor: AbstractBaseUser, item: AgendaItem, metric: Metric
) -> AgendaItemMetric:
    """Say that ``item`` covers ``metric`` (linking twice is refused)."""
    _require_editor(actor, item)
    link = AgendaItemMetric(item=item, metric=metric)
    link.full_clean()
    link.save()
    return link


def agenda_item_risk_link(
    *, actor: AbstractBaseUser, item: AgendaItem, risk: Risk
) -> AgendaItemRisk:
    """Say that ``item`` covers ``risk``; a risk of another system is refused."""
    _require_editor(actor, item)
    if risk.system_id != item.meeting.board.system_id:
        raise ValidationError({"risk": "This risk is another system's."})
    link = AgendaItemRisk(item=item, risk=risk)
    link.full_clean()
    link.save()
    return link
