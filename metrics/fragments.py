"""Fragments of pages cached by the snapshots they were rendered from.

A published snapshot never changes, so neither does HTML rendered from it: pages key their
heavy parts by snapshot ids and keep them in Django's cache. The views render; this module
only names and stores what they rendered.
"""

import logging
from collections.abc import Callable, Iterable

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Part of every fragment's key: raise it when the markup of a cached fragment changes, so that
# fragments rendered by the old templates are never served.
FRAGMENT_VERSION = 8
# A published snapshot never changes, so neither does a fragment rendered from it; a new
# snapshot gives a new key. The timeout only lets the cache forget fragments nobody asks for.
FRAGMENT_TIMEOUT = 7 * 24 * 60 * 60


def fragment_key(name: str, snapshot_ids: Iterable[int], *parts) -> str:
    """The cache key of a page fragment rendered from the snapshots ``snapshot_ids``."""
    ids = "-".join(str(i) for i in sorted(snapshot_ids)) or "none"
    extra = ":".join(str(p) for p in parts)
    return f"portal:fragment:v{FRAGMENT_VERSION}:{name}:{ids}:{extra}"


def cached_fragments(keys: dict[str, str], render: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The HTML fragments named in ``keys`` (name -> cache key), from the cache when all are
    there, else from ``render()``, which returns HTML by cache key (``keys``' and maybe more,
    e.g. every page of a matrix) and whose results are cached.

    A cache that fails (Redis down) is logged and passed over: the page is rendered instead.
    """
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 - any cache failure falls back to rendering
        logger.warning("Page fragment cache unavailable; rendering", exc_info=True)
        found = {}
    if all(key in found for key in keys.values()):
        return {name: found[key] for name, key in keys.items()}
    rendered = render()
    try:
        cache.set_many(rendered, timeout=FRAGMENT_TIMEOUT)
    except Exception:  # noqa: BLE001 - any cache failure leaves the page rendered, uncached
        logger.warning("Page fragment cache unavailable; not stored", exc_info=True)
    return {name: rendered[key] for name, key in keys.items()}
