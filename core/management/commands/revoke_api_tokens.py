"""End every API token of an account at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Revoke every API token of USERNAME: requests with them are refused (401) from now "
        "on. issue_api_token gives the account a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account whose tokens end.")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No account is named {username!r}.") from exc
        revoked, _ = AuthToken.objects.filter(user=user).delete()
        self.stdout.write(f"Revoked {revoked} token(s) of {username}.")
