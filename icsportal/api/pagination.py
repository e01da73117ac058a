"""Page-number pages with a maximum size, and cursor pages for the very long lists."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PortalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ObservationCursorPagination(CursorPagination):
    """Cursor pages: no COUNT(*) over a table that runs to millions of rows."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("series_id", "period_start", "id")
