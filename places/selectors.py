"""Reads of a system's own data that other layers build on."""

from .choices import FACT_KIND_HEADINGS
from .models import DataQualityFlag, Document, Fact, Outcome


def outcome_titles(*, system_id: int | None = None) -> dict[str, str]:
    """Each outcome code with its title as the system's documents word it, in the system's
    order; without a system, every system's codes, each with the first title loaded."""
    outcomes = Outcome.objects.order_by("system", "number")
    if system_id is not None:
        outcomes = outcomes.filter(system_id=system_id)
    titles: dict[str, str] = {}
    for code, title in outcomes.values_list("code", "title"):
        titles.setdefault(code, title)
    return titles


def flag_citations(flag: DataQualityFlag, titles: dict[str, str]) -> list[str]:
    """'Short title, line N' of each line a flag cites, its own source first."""
    cited = []
    if flag.source_document_id is not None:
        cited.append(flag.citation)
    for also in flag.also_sources:
        title = titles.get(also.get("document"), "another document")
        cited.append(f"{title}, line {also['line']}" if also.get("line") else title)
    return list(dict.fromkeys(cited))


def _cited_lines(row, keys: dict[int, str]) -> set[tuple[str, int]]:
    """The (document key, line) pairs a sourced row cites: its own source and its others."""
    lines = set()
    if row.source_document_id is not None and row.source_line:
        lines.add((keys[row.source_document_id], row.source_line))
    for also in row.also_sources:
        if also.get("document") and also.get("line"):
            lines.add((also["document"], also["line"]))
    return lines


def facts_with_flags(
    *,
    system_id: int,
    place_id: int | None = None,
    kind: str | None = None,
    index: "QualityFlags | None" = None,
) -> list[Fact]:
    """The facts of a system (``place_id`` None: its own, not its Places') or of one Place, in
    their order, only those of ``kind`` when given, each with ``flags``: the data-quality
    doubts that cite any line the fact cites, as dicts of ``issue``, ``handling`` and
    ``citations`` (three queries; one with the system's ``index`` of flags, which a page
    showing other rows too builds once)."""
    return facts_and_flags(system_id=system_id, place_id=place_id, kind=kind, index=index)[0]


def facts_and_flags(
    *,
    system_id: int,
    place_id: int | None = None,
    kind: str | None = None,
    index: "QualityFlags | None" = None,
) -> tuple[list[Fact], list[dict]]:
    """``facts_with_flags``, and every data-quality flag of the system as the facts carry
    them, in key order (three queries, or one with ``index``)."""
    # source_document: each fact's citation
    facts = Fact.objects.filter(system_id=system_id, place_id=place_id)
    if kind is not None:
        facts = facts.filter(kind=kind)
    facts = list(facts.select_related("source_document"))
    index = index or QualityFlags(system_id=system_id)
    index.attach(facts)
    return facts, index.flags


class QualityFlags:
    """The data-quality flags (of one system, or of every system), found by the lines they
    cite: their own source and each of their ``also_sources`` (two queries, whatever the
    number of rows asked about).

    ``citing(pairs)``: the flags citing any of the (document key, line) pairs, each once, as
    dicts of ``key``, ``issue``, ``handling`` and ``citations``; ``of(row)``: those citing any
    line a sourced row cites; ``attach(rows)``: sets each row's ``flags`` to ``of(row)``."""

    def __init__(self, *, system_id: int | None = None):
        documents = list(Document.objects.values_list("pk", "key", "short_title"))
        self.keys = {pk: key for pk, key, _ in documents}
        titles = {key: title for _, key, title in documents}
        self.flags: list[dict] = []
        self.by_line: dict[tuple[str, int], list[dict]] = {}
        flags = DataQualityFlag.objects.all()
        if system_id is not None:
            flags = flags.filter(system_id=system_id)
        # source_document: each flag's own citation
        for flag in flags.select_related("source_document"):
            row = {
                "key": flag.key,
                "issue": flag.issue,
                "handling": flag.handling,
                "citations": flag_citations(flag, titles),
            }
            self.flags.append(row)
            for line in _cited_lines(flag, self.keys):
                self.by_line.setdefault(line, []).append(row)

    def citing(self, pairs) -> list[dict]:
        found: dict[str, dict] = {}
        for pair in sorted(set(pairs)):
            for row in self.by_line.get(pair, []):
                found.setdefault(row["key"], row)
        return list(found.values())

    def of(self, row) -> list[dict]:
        return self.citing(_cited_lines(row, self.keys)) if row is not None else []

    def attach(self, rows):
        for row in rows:
            row.flags = self.of(row)
        return rows


def flags_citing(pairs, *, system_id: int | None = None) -> list[dict]:
    """The data-quality flags citing any of the (document key, line) pairs (two queries); a
    page asking about many rows builds one ``QualityFlags`` and asks it instead."""
    return QualityFlags(system_id=system_id).citing(pairs)


def facts_by_topic(facts: list[Fact]) -> list[tuple[str, str, list[Fact]]]:
    """Facts grouped by kind and topic (a fact without a topic under its kind's heading), as
    (kind's heading in plural plain words, topic, facts), groups in the order of their first
    fact."""
    groups: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        kind = FACT_KIND_HEADINGS.get(fact.kind, fact.get_kind_display())
        groups.setdefault((kind, fact.topic or kind), []).append(fact)
    return [(kind, topic, group) for (kind, topic), group in groups.items()]
