"""Bases every app's FilterSets build on: ``q`` search, ``modified_since`` and UTC date-times."""

import datetime as dt

import django_filters as filters
from django import forms
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
