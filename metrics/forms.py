"""Forms of the metrics pages: the shape of the input; services check the rules."""

from django import forms
from django.conf import settings

from .choices import AnnotationKind


class AnnotationForm(forms.Form):
    """A dated note on one of the metric's series."""

    series = forms.TypedChoiceField(label="Series", coerce=int)
    kind = forms.ChoiceField(label="Kind", choices=AnnotationKind.choices)
    period = forms.DateField(
        label="Period it marks",
        help_text="The first day of the period, for example 2019-04-01",
        widget=forms.TextInput,
    )
    period_end = forms.DateField(
        label="Last period (a baseline only)",
        required=False,
        help_text="At least 12 points from the first period, for example 2020-03-01",
        widget=forms.TextInput,
    )
    label = forms.CharField(label="Label on the chart", max_length=120)
    text = forms.CharField(
        label="Reason or detail",
        required=False,
        help_text="Required for a rebase or a baseline",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, series_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].choices = list(series_choices)


class UploadForm(forms.Form):
    """A file of observations to import (its rows are checked by the import itself)."""

    file = forms.FileField(
        label="File of observations",
        help_text=(
            "A CSV file (UTF-8) or an Excel workbook (.xlsx) with the columns metric, "
            "subject_type, subject, period, value and optionally note"
        ),
        error_messages={"required": "Choose a CSV or Excel file to upload"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PORTAL_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:,.1f} MB; the largest upload accepted "
                f"is {limit / 1024 / 1024:,.0f} MB. Split it into smaller files and upload each."
            )
        return upload
