"""Forms that link a priority to an outcome or a metric, and remove a link.

They check the shape of what was chosen and typed; ``outcome_services`` applies the rules, and
its ValidationErrors are shown next to the fields they name.
"""

from django import forms

from metrics.models import Metric
from places.models import Outcome, Priority

from .outcome_services import metrics_for_place

REASON_HELP = "Say why, for the record: it is shown beside the link, with your name and the date."
REMOVAL_HELP = (
    "Say why, for the record: the history of the priority's links keeps it, with your name."
)


def _reason_field(
    label: str, required_message: str, help_text: str = REASON_HELP
) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea,
        label=label,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class MetricChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Metric) -> str:
        return f"{obj.short_name or obj.name} ({obj.code})"


class PriorityOutcomeForm(forms.Form):
    """Choose one of the system's outcomes that the priority serves, and say why."""

    outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Which outcome does this priority serve?",
        error_messages={
            "required": "Select the outcome this priority serves",
            "invalid_choice": "Select one of the system's outcomes",
        },
    )
    reason = _reason_field(
        "Why does it serve this outcome?", "Enter the reason for linking it to the outcome"
    )

    def __init__(self, *args, priority: Priority, **kwargs):
        kwargs.setdefault("prefix", "outcome")
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = Outcome.objects.filter(
            system_id=priority.place.system_id
        ).order_by("number")


class PriorityMetricForm(forms.Form):
    """Choose a metric that evidences the priority, from those with a series for its Place."""

    metric = MetricChoiceField(
        queryset=Metric.objects.none(),
        label="Which metric evidences progress on it?",
        empty_label="Choose a metric",
        error_messages={
            "required": "Choose the metric that evidences this priority",
        },
    )
    reason = _reason_field(
        "Why is it evidence for this priority?", "Enter the reason for linking the metric"
    )

    def __init__(self, *args, priority: Priority, **kwargs):
        kwargs.setdefault("prefix", "metric")
        super().__init__(*args, **kwargs)
        field = self.fields["metric"]
        place = priority.place
        field.queryset = metrics_for_place(place)
        field.error_messages["invalid_choice"] = (
            f"Choose a metric with a series for {place.name}, its system or an organisation "
            f"serving {place.name}"
        )
        field.help_text = (
            f"Metrics with a series for {place.name}, for the system, or for an organisation "
            f"serving {place.name}."
        )


class LinkDeleteForm(forms.Form):
    """Why a link is removed: kept in the links' history."""

    reason = _reason_field(
        "Why remove this link?", "Enter the reason for removing the link", REMOVAL_HELP
    )
