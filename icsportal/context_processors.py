"""Template context the portal's layout needs on every page."""


def csp_nonce(request) -> dict:
    """``csp_nonce``: the request's Content-Security-Policy nonce, for the layout's inline scripts
    (empty when the security middleware did not run, as in a template rendered on its own)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
