"""Administrators' forms for changes to the structure: a succession, a Place's move, a cluster.

They check the shape of what was typed; the services (``governance.lineage``,
``places.lineage``) apply the rules, and their errors show next to the fields they name.
"""

from django import forms

from places.lineage import StatedSource
from places.models import Document, Place, System

from .choices import SuccessionKind
from .forms import DateField, yes_no_field
from .models import Board, Organisation


class SourceFieldsForm(forms.Form):
    """The reason for a change and its source: a document and line, or a person on a date."""

    reason = forms.CharField(
        label="Why: the reason for this change",
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for this change"},
    )
    source_document = forms.ModelChoiceField(
        label="Source document (or give the person below)",
        queryset=Document.objects.order_by("short_title"),
        required=False,
        empty_label="None: a person stated it",
    )
    source_line = forms.IntegerField(
        label="Line of the document", required=False, min_value=1, max_value=2_147_483_647
    )
    stated_by = forms.CharField(
        label="Or: the person who stated it", required=False, max_length=200
    )
    stated_on = DateField(label="The date they stated it", required=False)

    def stated_source(self) -> StatedSource:
        data = self.cleaned_data
        return StatedSource(
            document=data.get("source_document"),
            line=data.get("source_line"),
            stated_by=data.get("stated_by") or "",
            stated_on=data.get("stated_on"),
        )


class SuccessionForm(SourceFieldsForm):
    """That a board or organisation was replaced by one or more successors on a date."""

    predecessor = forms.ModelChoiceField(label="Replaced", queryset=Board.objects.none())
    successors = forms.ModelMultipleChoiceField(
        label="By (choose one, or several for a split)",
        queryset=Board.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one successor"},
    )
    kind = forms.ChoiceField(
        label="Kind of change", choices=SuccessionKind.choices, widget=forms.RadioSelect
    )
    date = DateField(label="Date the change took effect", help_text="For example, 1 4 2026.")
    successors_start = yes_no_field("Do the successors come into being on that date?")
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)

    field_order = [
        "predecessor",
        "successors",
        "kind",
        "date",
        "successors_start",
        "reason",
        "source_document",
        "source_line",
        "stated_by",
        "stated_on",
        "note",
    ]

    def __init__(self, *args, body: str, system: System | None, **kwargs):
        super().__init__(*args, **kwargs)
        model = Board if body == "board" else Organisation
        # One system's bodies: every system's would make the page too long to use (the API
        # takes successions across systems).
        queryset = model.objects.filter(system=system).order_by("name")
        self.fields["predecessor"].queryset = queryset
        self.fields["successors"].queryset = queryset
        self.fields["successors_start"].error_messages["required"] = (
            "Select whether the successors come into being on that date"
        )


class PlaceMoveForm(SourceFieldsForm):
    """That a Place belongs to another system from a date."""

    place = forms.ModelChoiceField(
        label="Place", queryset=Place.objects.select_related("system").order_by("name")
    )
    system = forms.ModelChoiceField(label="Moves to the system", queryset=System.objects.all())
    date = DateField(label="Date of the move", help_text="For example, 1 4 2026.")

    field_order = ["place", "system", "date", "reason", "source_document", "source_line"]


class ClusterForm(SourceFieldsForm):
    """A named group of systems sharing a board and executive team, with its dates."""

    name = forms.CharField(label="Name of the cluster", max_length=200)
    systems = forms.ModelMultipleChoiceField(
        label="Systems in the cluster",
        queryset=System.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = DateField(label="From", required=False, help_text="For example, 1 4 2025.")
    valid_to = DateField(label="To (leave empty while it lasts)", required=False)
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)

    field_order = ["name", "systems", "valid_from", "valid_to", "reason", "source_document"]
