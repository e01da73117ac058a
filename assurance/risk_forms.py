"""Forms for the risk register and the commitments: they check shape; services apply rules."""

from django import forms

from governance.forms import DateField
from governance.models import Board
from governance.permissions import editable_board_ids
from icsportal.roles import is_admin
from metrics.models import Metric
from places.models import Place

from .choices import ActionStatus, CommitmentStatus, RiskStatus

SCORES = [("", "Not scored"), *[(str(n), str(n)) for n in range(1, 6)]]
REASON_HELP = "Say why, for the record: it is kept with the change."


def _score_field(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
    )


class RiskReviewForm(forms.Form):
    """Score a risk, or confirm its score, with the reason."""

    likelihood = _score_field("Likelihood (1 rare to 5 almost certain)", "")
    impact = _score_field("Impact (1 negligible to 5 catastrophic)", "")
    reason = forms.CharField(
        widget=forms.Textarea,
        label="Reason",
        help_text=REASON_HELP,
        error_messages={"required": "Enter the reason for this rating"},
    )


class RiskUpdateForm(forms.Form):
    """A risk's description, owner, Place, status, review date and evidence."""

    title = forms.CharField(max_length=300, label="Title")
    description = forms.CharField(widget=forms.Textarea, required=False, label="Description")
    owner_board = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner board", empty_label="Not assigned"
    )
    place = forms.ModelChoiceField(
        queryset=None, required=False, label="Place", empty_label="System level"
    )
    status = forms.ChoiceField(choices=RiskStatus.choices, label="Status")
    review_date = DateField(label="Review date", required=False, help_text="For example, 1 4 2026.")
    metrics = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Linked metrics",
        widget=forms.CheckboxSelectMultiple,
        help_text="Their latest snapshots prompt a review of the rating.",
    )
    note = forms.CharField(widget=forms.Textarea, required=False, label="Note")
    reason = forms.CharField(
        widget=forms.Textarea,
        label="Reason",
        help_text=REASON_HELP,
        error_messages={"required": "Enter the reason for this change"},
    )

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_board"].queryset = Board.objects.filter(system=system).order_by("name")
        self.fields["place"].queryset = Place.objects.filter(system=system).order_by("name")
        self.fields["metrics"].queryset = Metric.objects.order_by("short_name", "code")


class RiskCreateForm(RiskUpdateForm):
    """A new risk: the change form with its scores."""

    likelihood = _score_field("Likelihood (1 rare to 5 almost certain)", "")
    impact = _score_field("Impact (1 negligible to 5 catastrophic)", "")

    field_order = [
        "title",
        "description",
        "owner_board",
        "place",
        "likelihood",
        "impact",
        "review_date",
        "metrics",
        "note",
        "reason",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["status"]
        if not is_admin(user):
            # A secretary adds risks for their own boards only (the service refuses others),
            # so only those are offered, and one must be chosen.
            owner = self.fields["owner_board"]
            owner.queryset = owner.queryset.filter(pk__in=editable_board_ids(user))
            owner.required = True
            owner.empty_label = "Choose a board"
            owner.help_text = "The boards whose secretary you are."
            owner.error_messages["required"] = "Choose the board that owns this risk"


class ActionCreateForm(forms.Form):
    description = forms.CharField(
        widget=forms.Textarea,
        label="Action",
        error_messages={"required": "Describe the action"},
    )
    owner = forms.CharField(max_length=200, required=False, label="Owner")
    due_date = DateField(label="Due date", required=False, help_text="For example, 1 4 2026.")


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        choices=ActionStatus.choices, widget=forms.RadioSelect, label="Status"
    )


class CommitmentUpdateForm(forms.Form):
    # "Not given in the source" describes what was loaded; it is not a status anyone sets.
    status = forms.ChoiceField(
        choices=[c for c in CommitmentStatus.choices if c[0] != CommitmentStatus.NOT_STATED],
        widget=forms.RadioSelect,
        label="Status",
        error_messages={"required": "Select a status"},
    )
    note = forms.CharField(
        widget=forms.Textarea, required=False, label="Note", help_text="What the status rests on."
    )
