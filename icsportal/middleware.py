"""Request hygiene that must run before the session is read."""

import re

from django.conf import settings

# Django makes session keys of lower-case letters and digits; anything else is not one of ours.
_SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")


class DropMalformedSessionCookieMiddleware:
    """Treat a session cookie that could not be a session key (NUL bytes and the like) as absent,
    so a hostile cookie gets the anonymous answer instead of a database error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not _SESSION_KEY.fullmatch(key):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)
