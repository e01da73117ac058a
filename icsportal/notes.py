"""Notes said once: the extraction's notes on a group of rows, split into their clauses, each
clause listed once with the rows it concerns, for an "About these figures" section."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Clauses end with a full stop or a semicolon followed by a space; "(101,648)" and "£000's"
# hold no such break.
_CLAUSE_END = re.compile(r"(?<=[.;])\s+")


def _clauses(note: str) -> list[str]:
    parts = (p.strip().rstrip(";").strip() for p in _CLAUSE_END.split(note or ""))
    return [p[:1].upper() + p[1:] for p in parts if p]


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def without_said(notes: list[dict], said: Iterable[str]) -> list[dict]:
    """``notes_once``'s entries less the clauses that a text shown on the same page (a
    data-quality flag's issue) already says, so no sentence is on the page twice."""
    said = [_normal(text) for text in said]
    return [entry for entry in notes if not any(_normal(entry["text"]) in s for s in said)]


def notes_once(items: Iterable, *, label: Callable[[object], str], note=lambda item: item.note):
    """Each distinct clause of the items' notes once, in order of first appearance, with the
    labels of the items it concerns: ``[{"text", "about": [label, ...], "all": bool}]``
    (``all``: every item with a note shares it). A clause repeated within one note or across
    rows (the same sentence on every row of a table) appears once."""
    found: dict[str, dict] = {}
    noted = 0
    for item in items:
        clauses = _clauses(note(item))
        noted += bool(clauses)
        for text in clauses:
            key = _normal(text)
            entry = found.setdefault(key, {"text": text, "about": []})
            if label(item) not in entry["about"]:
                entry["about"].append(label(item))
    out = list(found.values())
    for entry in out:
        entry["all"] = len(entry["about"]) == noted > 1
    return out
