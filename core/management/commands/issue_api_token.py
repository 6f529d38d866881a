"""Give an account a new API token, replacing any it had, and print it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Create or rotate USERNAME's token for the API and print it. A script sends it as "
        "'Authorization: Token <key>'; the previous token, if any, stops working at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account the token acts as.")

    @transaction.atomic
    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No account is named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"The account {username!r} is inactive.")
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        self.stdout.write(token.key)
