"""Links that name their system. Keys are unique only within a system, so a page addressed by
a key (a risk, a priority, a commitment, a person's interests) is linked as
``/<path>/<key>/?system=<slug>``; a page of one system (the overview, the outcomes, the
commitments…) takes the same query. Every such link is built here, so a link stays right for a
user who may see two systems sharing the key."""

from urllib.parse import urlencode

from django.urls import reverse

SYSTEM_PARAMETER = "system"


def with_system(url: str, system, *, anchor: str = "") -> str:
    """``url`` with ``?system=<slug>`` (or ``&system=`` after a query it has) and ``#anchor``."""
    joiner = "&" if "?" in url else "?"
    query = urlencode({SYSTEM_PARAMETER: system.slug})
    return f"{url}{joiner}{query}" + (f"#{anchor}" if anchor else "")


def system_url(viewname: str, system, *, anchor: str = "", **kwargs) -> str:
    """The URL of the page ``viewname`` (with ``kwargs``) of ``system``."""
    return with_system(reverse(viewname, kwargs=kwargs or None), system, anchor=anchor)


def keyed_url(viewname: str, row, *, anchor: str = "", **kwargs) -> str:
    """The URL of the page ``viewname`` addressed by ``row``'s key, naming ``row``'s system
    (read through ``row.system``: list pages select it with the rows)."""
    return system_url(viewname, row.system, anchor=anchor, key=row.key, **kwargs)
