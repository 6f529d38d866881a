"""Give an account a new API token, replacing any it had, and print it."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Create or rotate USERNAME's token for the API and print it. A script sends it as "
        "'Authorization: Token <key>'; the previous token, if any, stops working at once. "
        "Only the key's hash is stored: the key is shown this once. It expires after "
        "--days days (API_TOKEN_TTL_DAYS by default); revoke_api_tokens ends it sooner."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account the token acts as.")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REST_KNOX["TOKEN_TTL"].days,
            help="Days until the token expires (default: %(default)s).",
        )

    @transaction.atomic
    def handle(self, *args, username: str, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No account is named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"The account {username!r} is inactive.")
        AuthToken.objects.filter(user=user).delete()
        _, key = AuthToken.objects.create(user=user, expiry=timedelta(days=days))
        self.stdout.write(key)
