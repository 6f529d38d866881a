"""Create a staff account for an editor or a viewer, with a password nobody else has seen.

    python manage.py create_editor alice --group Editors --email alice@example.org

The password is asked twice on a terminal, or read from CACI_EDITOR_PASSWORD when the
command runs without one (a deployment script); there is no default password.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PASSWORD_VARIABLE = "CACI_EDITOR_PASSWORD"  # noqa: S105 (the variable's name, not a password)
ROLES = ("Editors", "Viewers")


class Command(BaseCommand):
    help = (
        "Create a staff account in the Editors or Viewers group. The password is asked on a "
        f"terminal, or read from {PASSWORD_VARIABLE} when there is none."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--group", required=True, choices=ROLES)
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, group: str, email: str, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account named “{username}” exists already.")
        try:
            role = Group.objects.get(name=group)
        except Group.DoesNotExist:
            raise CommandError(
                f"The group “{group}” does not exist: run `python manage.py migrate` first."
            ) from None
        user = User(username=username, email=email, is_staff=True)
        password = self.read_password()
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.full_clean()
            user.save()
            user.groups.add(role)
        self.stdout.write(self.style.SUCCESS(f"Created {username}, staff, in {group}."))

    def read_password(self) -> str:
        if sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
            return password
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise CommandError(
                f"No terminal to ask for a password, and {PASSWORD_VARIABLE} is not set: set it "
                "(for this command only) or run the command in a terminal."
            )
        return password
