"""A renamed copy of a system's data files: its extraction, editorial file and documents with
every name of a rename map replaced, so that a second system can be built and loaded from data
alone (``build_renamed_system``). Keys (``place_coventry``) are left as they are: two systems
may share keys, and a copy that keeps them shows that nothing of one is taken for the other's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RenameMap:
    """Whole-word, case-sensitive replacements (longest first), the keys the copy must not
    share (the system's own: a system is found by its key), and the editorial entries the copy
    overrides (its system's slug, short name, slug prefix, that it is synthetic)."""

    pairs: tuple[tuple[str, str], ...]
    keys: dict[str, str]
    editorial: dict

    @classmethod
    def from_json(cls, data: dict) -> RenameMap:
        pairs = tuple((old, new) for old, new in data["replace"])
        olds = [old for old, _ in pairs]
        twice = sorted({old for old in olds if olds.count(old) > 1})
        if twice:
            raise ValueError(f"replace: {', '.join(twice)} named more than once")
        return cls(pairs=pairs, keys=data.get("keys", {}), editorial=data.get("editorial", {}))

    def pattern(self) -> re.Pattern:
        # Longest first, so "Coventry and Warwickshire" is replaced before "Coventry".
        olds = sorted((old for old, _ in self.pairs), key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(o) for o in olds) + r")(?!\w)")

    def text(self, value: str) -> str:
        """``value`` with every name replaced."""
        table = dict(self.pairs)
        return self.pattern().sub(lambda m: table[m[0]], value)

    def data(self, value: Any) -> Any:
        """A JSON value with every string (and every object key) renamed; a string that is
        one of ``keys`` is replaced whole."""
        if isinstance(value, str):
            return self.keys[value] if value in self.keys else self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.data(v) for k, v in value.items()}
        return value


@dataclass(frozen=True)
class RenamedCopy:
    """The renamed extraction and editorial file, and the line count of each renamed document
    (its file name: lines), which a fixture build checks citations against."""

    extraction: dict
    editorial: dict
    documents: dict[str, str]


def renamed_copy(
    *, extraction: dict, editorial: dict, documents: Path, rename: RenameMap
) -> RenamedCopy:
    """Rename a system's files; the editorial overrides of the map win over the copy's."""
    copy_editorial = rename.data(editorial)
    for section, values in rename.editorial.items():
        copy_editorial[section] = {**copy_editorial.get(section, {}), **values}
    texts = {
        path.name: rename.text(path.read_text(encoding="utf-8"))
        for path in sorted(documents.glob("*.txt"))
    }
    return RenamedCopy(
        extraction=rename.data(extraction), editorial=copy_editorial, documents=texts
    )
