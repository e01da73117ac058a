"""Page-number pages with a maximum size, and cursor pages for the very long lists."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class PortalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ObservationCursorPagination(CursorPagination):
    """Cursor pages: no COUNT(*) over a table that runs to millions of rows.

    A cursor comes back from the client, so it is checked like any other input: its offset,
    direction and position (against the model field it is compared with); a forged one is a
    400 naming ``cursor``, never a database error.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("series_id", "period_start", "id")

    def paginate_queryset(self, queryset, request, view=None):
        # decode_cursor, called from here, checks the position against this model's field.
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                self._position_field().to_python(cursor.position)
        except (NotFound, DjangoValidationError) as exc:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from exc
        return cursor

    def _position_field(self):
        return self.model._meta.get_field(self.ordering[0].lstrip("-"))
