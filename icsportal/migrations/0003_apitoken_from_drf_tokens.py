"""Each DRF token becomes an ApiToken keeping only its key's hash; the plain keys are deleted.

Its key keeps working: same user, same creation date (so the same expiry), the same last use.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations

# As ``icsportal.models``: a migration keeps its own copy of what it needs.
PREFIX_LENGTH = 8


def hash_drf_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    TokenUse = apps.get_model("icsportal", "TokenUse")
    ApiToken = apps.get_model("icsportal", "ApiToken")
    last_used = dict(TokenUse.objects.values_list("token_id", "last_used_at"))
    lifetime = dt.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=token.user_id,
            name="API token",
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            prefix=token.key[:PREFIX_LENGTH],
            created=token.created,
            expires=token.created + lifetime,
            last_used_at=last_used.get(token.key),
        )
        for token in Token.objects.all()
    )
    # The reason for the move: no key is left in the database to be read.
    TokenUse.objects.all().delete()
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("icsportal", "0002_apitoken"),
    ]

    # Backwards, nothing: the plain keys cannot be rebuilt from their hashes.
    operations = [migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop)]
