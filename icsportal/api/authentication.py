"""Token authentication whose tokens expire after ``API_TOKEN_DAYS``."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from governance.models import RoleGrant


def token_expiry(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


def _columns(model, alias: str, quote) -> tuple[list[str], str]:
    fields = [f.attname for f in model._meta.concrete_fields]
    columns = [f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields]
    return fields, ", ".join(columns)


_TOKEN_QUERIES: dict[tuple, tuple[str, list[str], list[str], list[str]]] = {}


def _token_query(token_model, connection) -> tuple[str, list[str], list[str], list[str]]:
    """The token, its user and the user's portal role (if any) in one statement."""
    cached = _TOKEN_QUERIES.get((token_model, connection.vendor))
    if cached is not None:
        return cached
    user_model = get_user_model()
    quote = connection.ops.quote_name
    user_pk = quote(user_model._meta.pk.column)
    token_fields, token_columns = _columns(token_model, "t", quote)
    user_fields, user_columns = _columns(user_model, "u", quote)
    grant_fields, grant_columns = _columns(RoleGrant, "g", quote)
    # Every name comes from the models' metadata, quoted; the key is a parameter.
    sql = (
        f"SELECT {token_columns}, {user_columns}, {grant_columns}"  # noqa: S608 # nosec B608
        f" FROM {quote(token_model._meta.db_table)} t"
        f" INNER JOIN {quote(user_model._meta.db_table)} u"
        f" ON u.{user_pk} = t.{quote(token_model.user.field.column)}"
        f" LEFT OUTER JOIN {quote(RoleGrant._meta.db_table)} g"
        f" ON g.{quote(RoleGrant.user.field.column)} = u.{user_pk}"
        f" WHERE t.{quote(token_model._meta.pk.column)} = %s"
    )
    cached = _TOKEN_QUERIES[(token_model, connection.vendor)] = (
        sql,
        token_fields,
        user_fields,
        grant_fields,
    )
    return cached


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refused once the token is older than its lifetime."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        # The token, its user and the user's portal role in one query, with no query to
        # compile: this runs on every API request, and the permission check reads the role
        # (``user_role``); a missing grant is cached as none.
        alias = router.db_for_read(model)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            # Other backends hand back values the ORM still has to convert (SQLite's
            # date-times, for one): the ORM's own query, also one.
            return self._checked(self._by_orm(model, key))
        sql, token_fields, user_fields, grant_fields = _token_query(model, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        first, second = len(token_fields), len(token_fields) + len(user_fields)
        user = get_user_model().from_db(alias, user_fields, row[first:second])
        grant = None
        if row[second] is not None:
            grant = RoleGrant.from_db(alias, grant_fields, row[second:])
        RoleGrant.user.field.remote_field.set_cached_value(user, grant)
        token = model.from_db(alias, token_fields, row[:first])
        model.user.field.set_cached_value(token, user)
        return self._checked(token)

    @staticmethod
    def _by_orm(model, key):
        try:
            return model.objects.select_related("user__portal_role").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None

    @staticmethod
    def _checked(token):
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expiry(token) <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired; request a new one.")
        return user, token
