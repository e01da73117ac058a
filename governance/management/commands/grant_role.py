from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.services import role_grant
from icsportal.roles import PortalRole


class Command(BaseCommand):
    help = (
        "Give a user a portal role; --board names a board a secretary may edit, --system a "
        "system the role holds in (both repeatable; without either, every system)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=PortalRole.values)
        parser.add_argument("--board", action="append", default=[], dest="boards", metavar="SLUG")
        parser.add_argument(
            "--system", action="append", default=None, dest="systems", metavar="SLUG"
        )

    def handle(self, *args, username, role, boards, systems, **options):
        try:
            grant = role_grant(
                username=username, role=role, board_slugs=boards, system_slugs=systems
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(m for ms in exc.message_dict.values() for m in ms)
            ) from exc
        held = ", ".join(grant.boards.values_list("slug", flat=True))
        where = (
            "every system"
            if grant.all_systems
            else ", ".join(grant.systems.order_by("name").values_list("slug", flat=True))
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{username} is now {grant.get_role_display()}"
                + (f" of {held}" if held else "")
                + f" in {where}"
            )
        )
