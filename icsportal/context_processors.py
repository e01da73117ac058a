"""Template context the portal's layout needs on every page."""

from .roles import is_admin


def csp_nonce(request) -> dict:
    """``csp_nonce``: the request's Content-Security-Policy nonce, for the layout's inline scripts
    (empty when the security middleware did not run, as in a template rendered on its own)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def portal_user(request) -> dict:
    """``user_is_admin``: whether to show links only administrators can use (the admin site).
    Evaluated only when a template asks; the user's role is read once per request."""
    user = getattr(request, "user", None)
    return {"user_is_admin": (lambda: is_admin(user)) if user is not None else False}
