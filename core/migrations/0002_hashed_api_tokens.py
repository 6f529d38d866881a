"""API tokens move from plain text (rest_framework.authtoken) to hashes that expire (knox).

Each existing key keeps working: its SHA-512 hash is stored the way knox stores its own,
with an expiry of API_TOKEN_TTL_DAYS from now. The plain-text table is then dropped, as
`migrate authtoken zero` would, so no key is left readable in the database.
"""

import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def tokens_hashed(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # A database that never had plain-text tokens.
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('key')}, user_id FROM {quote(OLD_TABLE)}")
        rows = cursor.fetchall()
    AuthToken.objects.bulk_create(
        AuthToken(
            digest=hashlib.sha512(key.encode()).hexdigest(),
            token_key=key[:15],  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH
            user_id=user_id,
            expiry=expiry,
        )
        for key, user_id in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(tokens_hashed, migrations.RunPython.noop)]
