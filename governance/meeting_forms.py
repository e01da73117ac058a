"""Forms for a board secretary's meetings: they check the shape; the services apply the rules."""

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings

from .choices import AttendanceStatus, DeclarationAction, InterestKind, ItemPurpose, MeetingStatus
from .forms import DateField, VersionedForm, yes_no_field
from .models import Organisation, Person


def public_field() -> forms.TypedChoiceField:
    field = yes_no_field("Can the public see it?")
    field.error_messages["required"] = "Select whether the public can see it"
    return field


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, label="Title (optional)")
    day = DateField(label="Date")
    time = forms.TimeField(
        label="Start time (24-hour clock, UK time, for example 14:00)",
        error_messages={"required": "Enter the start time", "invalid": "Enter a time like 14:00"},
    )
    end = forms.TimeField(
        label="End time (optional, for example 16:00)",
        required=False,
        error_messages={"invalid": "Enter the end time like 16:00"},
    )
    location = forms.CharField(max_length=300, required=False, label="Where (optional)")
    link = forms.URLField(
        max_length=500, required=False, label="Joining link (optional)", assume_scheme="https"
    )
    is_public = public_field()

    def start(self) -> dt.datetime:
        """The start as an aware date-time in the portal's time zone (Europe/London)."""
        return self._on_the_day(self.cleaned_data["time"])

    def end_time(self) -> dt.datetime | None:
        """The end on the meeting's day, aware, or None when no end time was given."""
        end = self.cleaned_data["end"]
        return None if end is None else self._on_the_day(end)

    def _on_the_day(self, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(
            self.cleaned_data["day"], time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
        )


class MeetingChangeForm(VersionedForm, MeetingForm):
    """A meeting's details, read at ``version``; its status has a form of its own."""


class MeetingStatusForm(forms.Form):
    status = forms.ChoiceField(choices=MeetingStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AgendaItemForm(forms.Form):
    number = forms.IntegerField(min_value=1, max_value=999, label="Item number")
    title = forms.CharField(max_length=300)
    purpose = forms.ChoiceField(choices=ItemPurpose.choices)
    presenter = forms.CharField(max_length=200, required=False, label="Presenter (optional)")
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The organisations it concerns (optional; choose any)",
    )
    is_public = public_field()


class PaperForm(forms.Form):
    title = forms.CharField(max_length=300, label="Paper title")
    file = forms.FileField(required=False, label="Upload (PDF, Word, Excel, PowerPoint, CSV)")
    url = forms.URLField(required=False, label="Or a link to it", assume_scheme="https")


class AttendanceForm(forms.Form):
    """One status (and a deputy's name) per seat held on the meeting's day."""

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        for seat in seats:
            who = seat.person.name if seat.person_id else "Unnamed seat"
            if seat.on_behalf_of_id:
                who += f" ({seat.on_behalf_of.name})"
            self.fields[f"seat_{seat.pk}"] = forms.ChoiceField(
                choices=[("", "Not recorded"), *AttendanceStatus.choices],
                required=False,
                label=who,
                initial=seat.attendance.status if seat.attendance else "",
            )
            self.fields[f"deputy_{seat.pk}"] = forms.CharField(
                max_length=200,
                required=False,
                label=f"Deputy for {who}, if one attended",
                initial=seat.attendance.deputy_name if seat.attendance else "",
            )


class InterestForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), empty_label="Choose a person")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="None",
        label="Organisation (optional)",
    )
    description = forms.CharField(max_length=400, label="The interest")
    kind = forms.ChoiceField(choices=InterestKind.choices, label="Kind")
    declared_on = DateField(label="Declared on")
    start_date = DateField(label="Held from (optional)", required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class RegisterInterestForm(forms.Form):
    """An entry added from a person's register of interests."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="None",
        label="Organisation (optional)",
    )
    description = forms.CharField(max_length=400, label="The interest")
    kind = forms.ChoiceField(choices=InterestKind.choices, label="Kind")
    declared_on = DateField(label="Declared on")
    start_date = DateField(label="Held from (optional)", required=False)
    end_date = DateField(label="Held until (optional)", required=False)


class InterestChangeForm(VersionedForm, RegisterInterestForm):
    """Every detail of an entry in a person's register, read at ``version``."""


class InterestEndForm(VersionedForm):
    end_date = DateField(label="End date", help_text="The last day the interest was held.")


class InterestConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeclarationForm(forms.Form):
    item = forms.ModelChoiceField(queryset=None, empty_label="Choose an item")
    person = forms.ModelChoiceField(queryset=None, empty_label="Choose a person")
    action = forms.ChoiceField(choices=DeclarationAction.choices, label="Action taken")

    def __init__(self, *args, items, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["person"].queryset = people


class DecisionForm(forms.Form):
    item = forms.ModelChoiceField(queryset=None, empty_label="Choose an item")
    text = forms.CharField(widget=forms.Textarea, label="Decision")
    decided_on = DateField(label="Decided on")

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class ActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea, label="Action")
    owner = forms.CharField(max_length=200)
    due_date = DateField(label="Due")
    item = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="None", label="From item (optional)"
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
