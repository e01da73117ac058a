"""Template context the portal's layout needs on every page."""

from .roles import can_upload, is_admin


def csp_nonce(request) -> dict:
    """``csp_nonce``: the request's Content-Security-Policy nonce, for the layout's inline scripts
    (empty when the security middleware did not run, as in a template rendered on its own)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def portal_user(request) -> dict:
    """``user_is_admin``: whether to show links only administrators can use (the admin site);
    ``user_can_upload``: whether to show the uploads page (analysts and administrators).
    Evaluated only when a template asks; the user's role is read once per request."""
    user = getattr(request, "user", None)
    if user is None:
        return {"user_is_admin": False, "user_can_upload": False}
    return {"user_is_admin": lambda: is_admin(user), "user_can_upload": lambda: can_upload(user)}
