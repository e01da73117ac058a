"""Behaviour every list endpoint shares: CSV export of the whole filtered list, streamed."""

import csv

from django.http import StreamingHttpResponse
from django.urls import URLResolver
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from .renderers import flatten, neutralise


class _Echo:
    def write(self, value):
        return value


def csv_header(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """Column names of a serializer's rows, nested serializers flattened as ``parent.child``."""
    names = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.BaseSerializer) and not isinstance(
            field, serializers.ListSerializer
        ):
            names += csv_header(field, f"{prefix}{name}.")
        else:
            names.append(f"{prefix}{name}")
    return names


class PortalViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, filtered, ordered and paginated; ``?format=csv`` streams every matching row."""

    csv_chunk = 2000

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) != "csv":
            return self._json_list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        header = csv_header(serializer)
        writer = csv.writer(_Echo(), lineterminator="\r\n")

        def rows():
            yield writer.writerow(header)
            chunk = []
            for obj in queryset.iterator(chunk_size=self.csv_chunk):
                chunk.append(obj)
                if len(chunk) == self.csv_chunk:
                    yield from self._csv_rows(chunk, header, writer)
                    chunk = []
            yield from self._csv_rows(chunk, header, writer)

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        name = self.basename or "export"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    def _json_list(self, request, *args, **kwargs):
        serializer_class = self.get_serializer_class()
        if not hasattr(serializer_class, "row"):
            return super().list(request, *args, **kwargs)
        # Rows from .values(), built by the serializer's row(): no model instances.
        rows = self.filter_queryset(self._rows_queryset(serializer_class))
        page = self.paginate_queryset(rows)
        row = serializer_class.row
        if page is None:
            return Response([row(v) for v in rows])
        return self.get_paginated_response([row(v) for v in page])

    def _rows_queryset(self, serializer_class):
        """The list's rows as ``.values()`` of ``get_queryset()``, built once per viewset:
        resolving the joins of two dozen columns costs more than copying the query that holds
        them. A viewset's list queryset must therefore not depend on the request (none does:
        the two ``get_queryset`` overrides add prefetches to the detail only)."""
        cls = type(self)
        cached = cls.__dict__.get("_cached_rows_queryset")
        if cached is None or cached[0] is not serializer_class:
            # Built, never evaluated: every request works on a copy (.all()).
            rows = self.get_queryset().values(*serializer_class.row_values)
            cached = (serializer_class, rows)
            cls._cached_rows_queryset = cached
        return cached[1].all()

    def _csv_rows(self, objects, header, writer):
        for row in self.get_serializer(objects, many=True).data:
            flat = flatten(row)
            yield writer.writerow([neutralise(flat.get(k)) for k in header])


class APIRootView(APIView):
    """Every endpoint of the API with its URL, so that people and tools can find them."""

    # (label, URL name) of each endpoint that takes no argument in its path; set in the URLconf.
    endpoints: tuple[tuple[str, str], ...] = ()

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Every endpoint's URL by name, and where the schema and its documentation are.",
    )
    def get(self, request):
        found = {label: reverse(name, request=request) for label, name in self.endpoints}
        found["schema"] = reverse("schema", request=request)
        found["docs"] = reverse("api_docs", request=request)
        return Response(found)


def api_endpoints(patterns, namespace: str, prefix: str = "") -> tuple[tuple[str, str], ...]:
    """(path, namespaced URL name) of every named pattern in ``patterns`` whose path takes no
    argument, in order: the API root's list, built from the routes themselves so that none is
    left out."""
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            found += api_endpoints(pattern.url_patterns, namespace, route)
            continue
        if pattern.name and not pattern.pattern.regex.groups:
            found.append((route.rstrip("/"), f"{namespace}:{pattern.name}"))
    return tuple(found)
