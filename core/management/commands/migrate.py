"""Django's ``migrate``, one at a time on PostgreSQL.

Every app server runs ``migrate`` as it starts (``make serve``); when several start
together against one database, two migrations of the same app must not run side by side
(the second fails on a table the first just made, or worse, half applies). Each waits
for a PostgreSQL advisory lock held for the whole run, then finds the work done.
"""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

# The advisory lock's key, shared by every app server of one database: "caci-mig".
MIGRATE_LOCK_KEY = int.from_bytes(b"caci-mig", "big") >> 1


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " On PostgreSQL, one migrate runs at a time."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
