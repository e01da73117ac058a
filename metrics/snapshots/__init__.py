"""Series summaries and snapshots: the nightly recompute that dashboards and the API read.

A snapshot of a scope (see scopes) is built under status ``building`` while holding the scope's
lock (build), and published in one short transaction (publish); readers only ever see the
latest published one.
"""

from .build import STALE_BUILD, SnapshotBusy, latest_snapshot, scope_lock, snapshot_build
from .letters import LETTER_TYPES, TYPE_LETTERS
from .publish import KEEP_FAILED, KEEP_PUBLISHED, snapshot_publish
from .rag import rag_rating, target_in_force
from .reading import ScopeData, read_scope
from .scopes import (
    ScopeSeries,
    scope_batches,
    scope_key,
    scope_series,
    scope_series_counts,
    scopes_of_series,
    series_columns,
)
from .summaries import (
    IMPROVEMENT,
    RECENT_POINTS,
    SUMMARY_COLUMNS,
    UNCLASSIFIED,
    SummaryRows,
    compute_summaries,
    summaries_digest,
)

__all__ = [
    "IMPROVEMENT",
    "KEEP_FAILED",
    "KEEP_PUBLISHED",
    "LETTER_TYPES",
    "RECENT_POINTS",
    "STALE_BUILD",
    "SUMMARY_COLUMNS",
    "TYPE_LETTERS",
    "UNCLASSIFIED",
    "ScopeData",
    "ScopeSeries",
    "SnapshotBusy",
    "SummaryRows",
    "compute_summaries",
    "latest_snapshot",
    "rag_rating",
    "read_scope",
    "scope_batches",
    "scope_key",
    "scope_lock",
    "scope_series",
    "scope_series_counts",
    "scopes_of_series",
    "series_columns",
    "snapshot_build",
    "snapshot_publish",
    "summaries_digest",
    "target_in_force",
]
