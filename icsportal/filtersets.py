"""Bases every app's FilterSets build on: ``q`` search, ``modified_since`` and UTC date-times."""

import datetime as dt

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

ANY = "Any"


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter's choice: Any (the default, no filtering), Yes or No."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", ANY), ("true", "Yes"), ("false", "No"))

    def format_value(self, value):
        return {True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")


def plain_words(filter_: filters.Filter) -> None:
    """Give a filter the words people see: "Any" for no choice, Any/Yes/No for yes-or-no."""
    if isinstance(filter_, filters.BooleanFilter):
        filter_.extra.setdefault("widget", AnyYesNoSelect)
    elif isinstance(filter_, filters.ChoiceFilter | filters.ModelChoiceFilter):
        filter_.extra.setdefault("empty_label", ANY)


class SearchFilterSet(filters.FilterSet):
    """A FilterSet with ``q``, a case-insensitive search over ``search_fields``.

    Every filter shows plain words: declare a ``label`` on each (the list pages and the API
    schema show it); choices start with "Any" and yes/no filters offer Any, Yes and No.
    """

    search_fields: tuple[str, ...] = ()
    q = filters.CharFilter(method="search", label="Search")

    @classmethod
    def get_filters(cls):
        found = super().get_filters()
        for filter_ in found.values():
            plain_words(filter_)
        return found

    def get_form_class(self):
        # django-filter builds a new form class, and a form field per filter, for every
        # request. The portal's filters depend on nothing in the request, so each FilterSet
        # class builds its form class once; every form instance still gets its own copies of
        # the fields (Django's forms deep-copy ``base_fields``).
        cls = type(self)
        form_class = cls.__dict__.get("_portal_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._portal_form_class = form_class
        return form_class

    @property
    def form(self):
        """The form, whose identifier fields name objects of the ``system`` asked for (keys
        are unique only within a system, so ``place=rugby&system=<slug>`` is one Place)."""
        if not hasattr(self, "_form"):
            form = super().form
            system = str((self.data or {}).get("system") or "").strip()
            if system:
                for name, field in form.fields.items():
                    if name != "system" and isinstance(field, IdentifierField):
                        field.queryset = in_system(field.queryset, system)
        return self._form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned to UTC (databases refuse some offsets Python allows)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        try:
            return value.astimezone(dt.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(
                "Enter a date and time between the years 1 and 9999."
            ) from exc


class UTCIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class ModifiedSinceFilterSet(SearchFilterSet):
    """Adds ``modified_since`` (an ISO date-time) for incremental sync."""

    modified_since = UTCIsoDateTimeFilter(
        field_name="modified_at",
        lookup_expr="gte",
        label="Changed since (date and time, for example 2025-04-01T00:00Z)",
    )


# -- identifiers ---------------------------------------------------------------------------------
# Every filter that names an object takes the identifiers the README lists for its kind, and
# the object's id: one filter class per kind, so that the same kind of object is named the same
# way on every list, and the schema says which identifiers each filter takes.


def in_system(queryset, system: str):
    """``queryset`` narrowed to the system named by its slug or id, when its rows belong to
    one (they have a ``system``); otherwise unchanged."""
    try:
        queryset.model._meta.get_field("system")
    except FieldDoesNotExist:
        return queryset
    condition = Q(system__slug=system)
    if system.isdigit() and len(system) < 19:
        condition |= Q(system_id=int(system))
    return queryset.filter(condition)


class IdentifierField(forms.ModelChoiceField):
    """An object named by any of ``lookup_fields`` (tried in that order) or by its id."""

    def __init__(self, *args, lookup_fields: tuple[str, ...], **kwargs):
        self.lookup_fields = lookup_fields
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if "\x00" in text:
            raise forms.ValidationError("Null characters are not allowed.", code="null_characters")
        condition = Q()
        for field in self.lookup_fields:
            condition |= Q(**{field: text})
        if text.isdigit() and len(text) < 19:
            condition |= Q(pk=int(text))
        # A handful at most: the same text may be one object's key and another's abbreviation,
        # and the first of ``lookup_fields`` (then the id) decides.
        found = list(self.queryset.filter(condition)[:10])
        for field in (*self.lookup_fields, "pk"):
            matches = [obj for obj in found if str(getattr(obj, field)) == text]
            if len(matches) > 1:
                # Keys are unique within a system: two systems may both have this one.
                raise forms.ValidationError(
                    "More than one system has this %(value)s; name the system too (system=).",
                    code="ambiguous",
                    params={"value": text},
                )
            if matches:
                return matches[0]
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
        )


class IdentifierFilter(filters.ModelChoiceFilter):
    """A filter naming an object of one kind by ``lookup_fields`` or its id; ``noun`` names
    the kind in the description the schema shows."""

    field_class = IdentifierField
    lookup_fields: tuple[str, ...] = ("slug",)
    identifiers = "slug"

    def __init__(self, *args, noun: str, **kwargs):
        kwargs.setdefault("lookup_fields", self.lookup_fields)
        kwargs.setdefault("to_field_name", kwargs["lookup_fields"][0])
        kwargs.setdefault("help_text", f"The {noun}'s {self.identifiers} or id.")
        super().__init__(*args, **kwargs)


class SlugFilter(IdentifierFilter):
    """Systems, Places and boards: the slug (``rugby``) or the id."""


class KeyFilter(IdentifierFilter):
    """People, risks and other rows with a stable key: the key or the id."""

    lookup_fields = ("key",)
    identifiers = "key"


class OrganisationFilter(IdentifierFilter):
    """Organisations: the key (``org_wcc``), the abbreviation (``WCC``), the national code
    (``RKB``) or the id."""

    lookup_fields = ("key", "abbreviation", "national_code")
    identifiers = "key (org_wcc), abbreviation (WCC), national code (RKB)"


class PeriodField(forms.CharField):
    """A period as uploads write it, parsed by the app's own ``parse`` (which returns an object
    with ``start`` and ``end`` dates, or raises ValueError)."""

    def __init__(self, *args, parse, **kwargs):
        self.parse = parse
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return self.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid_period") from None


PERIOD_FORMS = "YYYY-MM (a month), YYYY-MM-DD (a day) or YYYY/YY (a financial year, e.g. 2019/20)"


class PeriodFilter(filters.CharFilter):
    """``period_start`` from the start (``after``) or to the end (``before``) of a period:
    ``period_before=2019/20`` keeps every period that starts by 31 March 2020."""

    field_class = PeriodField

    def __init__(self, *args, bound: str, parse, **kwargs):
        self.bound = bound
        kwargs.setdefault("field_name", "period_start")
        kwargs["lookup_expr"] = "gte" if bound == "after" else "lte"
        kwargs.setdefault(
            "help_text",
            f"Periods starting {'on or after the start' if bound == 'after' else 'by the end'} "
            f"of this one: {PERIOD_FORMS}.",
        )
        super().__init__(*args, parse=parse, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return super().filter(qs, value.start if self.bound == "after" else value.end)
