from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.services import role_grant
from icsportal.roles import PortalRole


class Command(BaseCommand):
    help = "Give a user a portal role; --board names a board a secretary may edit (repeatable)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=PortalRole.values)
        parser.add_argument("--board", action="append", default=[], dest="boards", metavar="SLUG")

    def handle(self, *args, username, role, boards, **options):
        try:
            grant = role_grant(username=username, role=role, board_slugs=boards)
        except ValidationError as exc:
            raise CommandError(
                "; ".join(m for ms in exc.message_dict.values() for m in ms)
            ) from exc
        held = ", ".join(grant.boards.values_list("slug", flat=True))
        self.stdout.write(
            self.style.SUCCESS(
                f"{username} is now {grant.get_role_display()}" + (f" of {held}" if held else "")
            )
        )
