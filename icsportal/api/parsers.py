"""A JSON parser that refuses bodies nested deeper than any of the portal's requests need."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request body of the portal nests more than a few levels; this leaves room to spare.
MAX_DEPTH = 32


def nesting_depth(value) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class PortalJSONParser(JSONParser):
    """DRF's JSON parser; a body nested beyond ``MAX_DEPTH`` is a 400, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise self._too_deep() from exc
        if nesting_depth(data) > MAX_DEPTH:
            raise self._too_deep()
        return data

    @staticmethod
    def _too_deep() -> ParseError:
        return ParseError(f"JSON parse error - the body nests more than {MAX_DEPTH} levels deep.")
