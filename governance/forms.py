"""Forms for signing in and for a board secretary's membership changes.

They check the shape of what was typed; the services in ``services.py`` apply the rules and
their ValidationErrors are shown next to the fields they name (``add_service_errors``).
"""

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q

from icsportal.models import NAME_MAX_LENGTH

from .choices import EndReason, Role
from .models import Board, Person
from .selectors import CHANGES_BY, CHANGES_BY_RECORDED

YES_NO = [("yes", "Yes"), ("no", "No")]


class PortalAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with messages in the NHS.UK style."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive; ask an administrator to restore it.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class DayMonthYearWidget(forms.MultiWidget):
    """Day, month and year boxes (the NHS.UK date input), named ``<name>_day`` and so on."""

    def __init__(self, attrs=None):
        super().__init__(
            {"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}, attrs
        )

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateBoundField(forms.BoundField):
    @property
    def parts(self) -> dict[str, str]:
        """The day, month and year to show in the three boxes."""
        value = self.value()
        if isinstance(value, dt.date):
            value = [value.day, value.month, value.year]
        value = list(value or []) + [None] * 3
        return {
            name: "" if part is None else str(part)
            for name, part in zip(("day", "month", "year"), value, strict=False)
        }


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with NHS.UK error messages."""

    widget = DayMonthYearWidget
    bound_field_class = DateBoundField

    def __init__(self, *, label: str, **kwargs):
        self.what = label[:1].lower() + label[1:]
        # The parts are optional one by one so that compress() can say what is missing.
        fields = [forms.CharField(required=False) for _ in range(3)]
        super().__init__(fields, require_all_fields=False, label=label, **kwargs)
        self.error_messages["required"] = f"Enter the {self.what}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            year_n = int(year)
            if year_n < 1900 or year_n > 2200:
                raise ValueError
            return dt.date(year_n, int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date", code="invalid") from None


def yes_no_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they have a vote"},
    )


class VersionedForm(forms.Form):
    """A form about one row (a membership, an interest), carrying the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BoardForm(forms.Form):
    """A form about one board's membership: its choices are limited to that board's system."""

    def __init__(self, *args, board: Board, **kwargs):
        self.board = board
        super().__init__(*args, **kwargs)


class PersonFieldsMixin(BoardForm):
    """Choose an existing person or type a new name (not both)."""

    person_required = True

    person = forms.ModelChoiceField(
        queryset=Person.objects.order_by("name", "key"),
        required=False,
        label="Person",
        empty_label="Choose a person",
        help_text="Choose someone already in the portal, or type a new name below.",
    )
    person_name = forms.CharField(
        required=False,
        max_length=200,
        label="Or add a new person",
        help_text="Their full name, for example Dr Jane Smith.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        board = self.board
        # People of this board's system only: those who sit or sat on one of its boards, and
        # people added in the portal who hold no seat yet.
        self.fields["person"].queryset = (
            Person.objects.filter(
                Q(memberships__board__system_id=board.system_id) | Q(memberships__isnull=True)
            )
            .distinct()
            .order_by("name", "key")
        )

    def clean(self):
        cleaned = super().clean()
        person, name = cleaned.get("person"), (cleaned.get("person_name") or "").strip()
        if person and name:
            self.add_error("person_name", "Choose a person or type a new name, not both")
        elif self.person_required and not person and not name and "person" not in self.errors:
            self.add_error("person", "Choose a person or type a new name")
        return cleaned


class SeatFieldsMixin(BoardForm):
    """What a seat is: for whom, in what role, with a vote or not, how described."""

    on_behalf_of = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Organisation represented",
        empty_label="None (an individual member)",
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        label="Role",
        help_text="A joint or rotating chair is recorded as co-chair.",
        error_messages={"required": "Select a role"},
    )
    voting = yes_no_field("Voting member")
    label = forms.CharField(
        required=False,
        max_length=300,
        label="Title on the board (optional)",
        help_text="For example, Director of Public Health.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea, label="Note (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this board's system: an organisation elsewhere cannot sit on it.
        self.fields["on_behalf_of"].queryset = self.board.system.organisations.order_by("name")


class MembershipCreateForm(PersonFieldsMixin, SeatFieldsMixin):
    start_date = DateField(label="Start date", help_text="For example, 1 4 2025.")
    end_date = DateField(
        label="End date", required=False, help_text="Leave empty for an open-ended term."
    )

    field_order = [
        "person",
        "person_name",
        "on_behalf_of",
        "role",
        "voting",
        "label",
        "start_date",
        "end_date",
        "note",
    ]

    def service_kwargs(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "person",
                "person_name",
                "on_behalf_of",
                "role",
                "voting",
                "label",
                "start_date",
                "end_date",
                "note",
            )
        }


class MembershipUpdateForm(VersionedForm, MembershipCreateForm):
    """Change any of a membership's details; its board is not among them."""

    person_required = False
    field_order = [*MembershipCreateForm.field_order, "version"]

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        # A named seat stays named: clearing the person is ending the membership.
        self.person_required = membership.person_id is not None
        self.fields["person"].help_text = "Choose someone else to correct a mistake."
        if membership.start_date is None:
            # Seats loaded from the documents rarely have a start date; not knowing it must not
            # stop a secretary changing anything else about the seat.
            start = self.fields["start_date"]
            start.required = False
            start.help_text = (
                "Not stated in the source. Leave empty if it is still not known, "
                "or enter it, for example 1 4 2025."
            )

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        if kwargs["person"] is None and not kwargs["person_name"].strip():
            del kwargs["person"]
        return kwargs


class MembershipEndForm(VersionedForm):
    end_date = DateField(label="End date", help_text="The last day of the term.")
    end_reason = forms.ChoiceField(
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        label="Why does the membership end?",
        error_messages={"required": "Select why the membership ends"},
    )


class VacancyRecordForm(SeatFieldsMixin):
    start_date = DateField(label="Date the seat fell vacant", help_text="For example, 1 4 2025.")

    field_order = ["on_behalf_of", "role", "voting", "label", "start_date", "note"]

    def service_kwargs(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("on_behalf_of", "role", "voting", "label", "start_date", "note")
        }


class VacancyFillForm(VersionedForm, PersonFieldsMixin):
    start_date = DateField(label="Date they take the seat", help_text="For example, 1 4 2025.")

    field_order = ["person", "person_name", "start_date", "version"]


class DateQueryForm(forms.Form):
    """A date given as YYYY-MM-DD in the query string."""

    date = forms.DateField(
        input_formats=["%Y-%m-%d"],
        label="Date",
        help_text="For example, 2025-03-31.",
        error_messages={
            "required": "Enter a date",
            "invalid": "Enter a real date in the form YYYY-MM-DD, for example 2025-03-31",
        },
    )


class DateRangeQueryForm(forms.Form):
    """Two dates, from and to (inclusive), as YYYY-MM-DD in the query string, and which dates."""

    date_messages = {
        "required": "Enter a date",
        "invalid": "Enter a real date in the form YYYY-MM-DD, for example 2025-03-31",
    }
    start = forms.DateField(input_formats=["%Y-%m-%d"], label="From", error_messages=date_messages)
    end = forms.DateField(input_formats=["%Y-%m-%d"], label="To", error_messages=date_messages)
    by = forms.ChoiceField(
        choices=CHANGES_BY,
        required=False,
        widget=forms.RadioSelect,
        label="Show changes",
        help_text=(
            "By date recorded: what was entered or changed in these dates. "
            "By term dates: memberships that started or ended in these dates."
        ),
    )

    def __init__(self, data=None, **kwargs):
        # The query string says from= and to=, which are not Python names.
        if data is not None:
            data = {
                "start": data.get("from", ""),
                "end": data.get("to", ""),
                "by": data.get("by", "") or CHANGES_BY_RECORDED,
            }
        super().__init__(data, **kwargs)

    def clean_by(self) -> str:
        return self.cleaned_data["by"] or CHANGES_BY_RECORDED

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The 'to' date must be the same as or after the 'from' date")
        return cleaned


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, each message next to the field it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for e in errors:
            form.add_error(target, e)


class ApiTokenCreateForm(forms.Form):
    """The name of a new API token, to tell it from the user's others."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Token name",
        help_text="What it is for, for example “nightly upload script”.",
        error_messages={"required": "Enter a name for the token"},
    )
