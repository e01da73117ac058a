"""Bases every app's FilterSets build on: ``q`` search, ``modified_since`` and UTC date-times."""

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q
from django_filters.fields import IsoDateTimeField


class SearchFilterSet(filters.FilterSet):
    """A FilterSet with ``q``, a case-insensitive search over ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = filters.CharFilter(method="search", label="Search")

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

    modified_since = UTCIsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")
