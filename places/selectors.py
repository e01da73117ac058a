"""Reads of a system's own data that other layers build on."""

from .models import Outcome


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
