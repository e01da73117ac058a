"""The header's system switcher, on the pages of one system (those that read
``places.pages.page_system``), for a user who may see more than one: no query of its own."""


def systems(request) -> dict:
    found = getattr(request, "portal_systems", None) or []
    return {"switcher_systems": found if len(found) > 1 else []}
