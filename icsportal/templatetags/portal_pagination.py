"""The links of NHS.UK numbered pagination, with an ellipsis window for long lists."""

from django import template
from django.http import QueryDict

register = template.Library()

# Pages named either side of the current page and at each end; the rest are one "…" (a list of
# 70 pages shows "1 … 7 8 9 … 70", not 70 links).
ON_EACH_SIDE = 1
ON_ENDS = 1


@register.simple_tag(takes_context=True)
def page_links(context, page_obj, page_query="", anchor=""):
    """The previous, next and numbered links of ``page_obj``'s list, pages far from the current
    one elided as ``{"ellipsis": True}``; each link keeps the other query parameters of
    ``page_query`` (a query string, for fragments rendered without a request) or else of the
    request, and ends with ``anchor``."""
    request = getattr(context, "request", None)
    if page_query or request is None:
        query = QueryDict(page_query or "", mutable=True)
    else:
        query = request.GET.copy()

    def url(number: int) -> str:
        query["page"] = number
        return f"?{query.urlencode()}{anchor}"

    paginator = page_obj.paginator
    pages = [
        {"ellipsis": True}
        if number == paginator.ELLIPSIS
        else {"number": number, "url": url(number), "current": number == page_obj.number}
        for number in paginator.get_elided_page_range(
            page_obj.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS
        )
    ]
    return {
        "previous": url(page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next": url(page_obj.next_page_number()) if page_obj.has_next() else "",
        "pages": pages,
    }
