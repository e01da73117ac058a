"""``{% quality_flags flags %}``: data-quality doubts shown where what they doubt is shown."""

from django import template

register = template.Library()

# Where in a page's context the keys of the flags already shown are kept: the outermost
# dictionary lives as long as the page's render, across its includes.
SHOWN = "portal_quality_flags_shown"


@register.inclusion_tag("includes/quality_flags.html", takes_context=True)
def quality_flags(context, flags):
    """Each flag in full the first time the page shows it, and after that a short reminder,
    so that a doubt shared by many rows is said once (rows of places.selectors.QualityFlags)."""
    shown = context.dicts[0].setdefault(SHOWN, set())
    rows = []
    for flag in flags or ():
        rows.append({"flag": flag, "again": flag["key"] in shown})
        shown.add(flag["key"])
    return {"rows": rows}
