"""``{% keyed_url 'app:view' row %}`` and ``{% system_url 'app:view' system %}``: the links of
``places.links`` in templates, with the view's other arguments as keywords (``pk=a.pk``)."""

from django import template

from places import links

register = template.Library()


@register.simple_tag
def keyed_url(viewname: str, row, **kwargs) -> str:
    """The page of ``row`` addressed by its key, naming its system."""
    return links.keyed_url(viewname, row, **kwargs)


@register.simple_tag
def system_url(viewname: str, system, **kwargs) -> str:
    """The page ``viewname`` of ``system``."""
    return links.system_url(viewname, system, **kwargs)
