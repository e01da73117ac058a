"""RAG ratings: how a series' latest value stands against the target in force."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..choices import RAG, Polarity


def rag_rating(
    *, value: float | None, target: float | None, polarity: str, tolerance: float
) -> str:
    """Green when the value meets the target in the metric's direction, amber when it misses by
    no more than ``tolerance`` × |target|, red otherwise; grey with no target or no direction."""
    if value is None or target is None or polarity == Polarity.NEUTRAL:
        return RAG.GREY
    miss = target - value if polarity == Polarity.HIGHER_IS_BETTER else value - target
    if miss <= 0:
        return RAG.GREEN
    if miss <= tolerance * abs(target):
        return RAG.AMBER
    return RAG.RED


def target_in_force(targets: list[tuple], period: dt.date | None) -> tuple | None:
    """The (start, end, value, label) target whose period contains ``period``, if any."""
    if period is None:
        return None
    for target in targets:
        if target[0] <= period <= target[1]:
            return target
    return None


def rags(
    value: np.ndarray, target: np.ndarray, polarity: list[str], tolerance: np.ndarray
) -> list[str]:
    """``rag_rating`` for every series at once (NaN value or target: none)."""
    polarity = np.asarray(polarity, dtype=object)
    higher = polarity == Polarity.HIGHER_IS_BETTER
    lower = polarity == Polarity.LOWER_IS_BETTER
    miss = np.where(higher, target - value, value - target)
    grey = ~(higher | lower) | np.isnan(target) | np.isnan(value)
    with np.errstate(invalid="ignore"):
        rag = np.select(
            [grey, miss <= 0, miss <= tolerance * np.abs(target)],
            [RAG.GREY.value, RAG.GREEN.value, RAG.AMBER.value],
            RAG.RED.value,
        )
    return rag.tolist()
