"""Metric codes that a metric may not take, because its page would be another page's path.

A metric's page is /metrics/<code>/, and the portal's own pages under /metrics/ come first in
the URL configuration (``metrics.urls``): a metric coded "uploads" would have no page of its
own, and its links would open the uploads page. Every fixed first segment of a path under
/metrics/ is listed here (a test checks the URL configuration against it).
"""

from django.core.exceptions import ValidationError

RESERVED_CODES = frozenset({"summary", "uploads"})


def validate_metric_code(code: str) -> None:
    """Refuse a code that a page under /metrics/ already uses (a field validator of code)."""
    if code.lower() in RESERVED_CODES:
        raise ValidationError(
            "The code %(code)s is reserved: /metrics/%(code)s/ is the portal's own page, so "
            "a metric with that code would have no page. Choose another code.",
            code="reserved_metric_code",
            params={"code": code},
        )
