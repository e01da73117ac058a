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
    lines = set()
    if row.source_document_id is not None and row.source_line:
        lines.add((keys[row.source_document_id], row.source_line))
    for also in row.also_sources:
        if also.get("document") and also.get("line"):
            lines.add((also["document"], also["line"]))
    return lines


def facts_with_flags(
    *, system_id: int, place_id: int | None = None, kind: str | None = None
) -> list[Fact]:
    """The facts of a system (``place_id`` None: its own, not its Places') or of one Place, in
    their order, only those of ``kind`` when given, each with ``flags``: the data-quality
    doubts that cite any line the fact cites, as dicts of ``issue``, ``handling`` and
    ``citations`` (three queries)."""
    return facts_and_flags(system_id=system_id, place_id=place_id, kind=kind)[0]


def facts_and_flags(
    *, system_id: int, place_id: int | None = None, kind: str | None = None
) -> tuple[list[Fact], list[dict]]:
    """``facts_with_flags``, and every data-quality flag of the system as the facts carry
    them, in key order (the same three queries)."""
    # source_document: each fact's citation
    facts = Fact.objects.filter(system_id=system_id, place_id=place_id)
    if kind is not None:
        facts = facts.filter(kind=kind)
    facts = list(facts.select_related("source_document"))
    documents = list(Document.objects.values_list("pk", "key", "short_title"))
    keys = {pk: key for pk, key, _ in documents}
    titles = {key: title for _, key, title in documents}
    by_line: dict[tuple[str, int], list[dict]] = {}
    flags = []
    # source_document: each flag's own citation
    for flag in DataQualityFlag.objects.filter(system_id=system_id).select_related(
        "source_document"
    ):
        row = {
            "key": flag.key,
            "issue": flag.issue,
            "handling": flag.handling,
            "citations": flag_citations(flag, titles),
        }
        flags.append(row)
        for line in _cited_lines(flag, keys):
            by_line.setdefault(line, []).append(row)
    for fact in facts:
        found = {}
        for line in sorted(_cited_lines(fact, keys)):
            for row in by_line.get(line, []):
                found.setdefault(row["key"], row)
        fact.flags = list(found.values())
    return facts, flags


def facts_by_topic(facts: list[Fact]) -> list[tuple[str, str, list[Fact]]]:
    """Facts grouped by kind and topic (a fact without a topic under its kind's heading), as
    (kind's heading in plural plain words, topic, facts), groups in the order of their first
    fact."""
    groups: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        kind = FACT_KIND_HEADINGS.get(fact.kind, fact.get_kind_display())
        groups.setdefault((kind, fact.topic or kind), []).append(fact)
    return [(kind, topic, group) for (kind, topic), group in groups.items()]
