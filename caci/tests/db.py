"""Test data built once for a whole module."""

from django.db import transaction


def built_for_module(django_db_blocker, build):
    """Yield what ``build`` writes, inside a transaction rolled back after the module.

    This is Django's ``setUpTestData`` for pytest: each test runs in its own savepoint
    within the transaction, so what a test writes is undone after it and the data stays
    as built for the next one.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
