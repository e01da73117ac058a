import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.services import role_grant

# username, role, boards a secretary keeps
DEMO_USERS = [
    ("commissioner", "commissioner", []),
    ("secretary", "board_secretary", ["warwickshire-north-place-executive"]),
    ("analyst", "analyst", []),
    ("admin", "admin", []),
]


class Command(BaseCommand):
    help = (
        "Create the demo users with PORTAL_DEMO_PASSWORD, or a generated password printed once. "
        "Existing users keep their passwords."
    )

    def handle(self, *args, **options):
        given = os.environ.get("PORTAL_DEMO_PASSWORD", "")
        if given:
            try:
                validate_password(given)
            except ValidationError as exc:
                raise CommandError("PORTAL_DEMO_PASSWORD: " + " ".join(exc.messages)) from exc
        User = get_user_model()
        for username, role, boards in DEMO_USERS:
            existed = (
                User.objects.filter(username=username).exclude(password__startswith="!").exists()  # noqa: S106 - "!" marks unusable
            )
            role_grant(username=username, role=role, board_slugs=boards)
            if existed:
                self.stdout.write(f"  {username:<13} ({role}) exists; password unchanged")
                continue
            password = given or secrets.token_urlsafe(12)
            user = User.objects.get(username=username)
            user.set_password(password)
            user.save(update_fields=["password"])
            shown = "PORTAL_DEMO_PASSWORD" if given else password
            self.stdout.write(f"  {username:<13} ({role}) password: {shown}")
