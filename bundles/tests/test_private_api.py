"""The private Django API the importer still relies on, pinned.

Should an upgrade of Django rename this method or change its signature or output, these
tests fail first, saying what the importer needs it for, rather than imports failing in some
obscure way. (Check constraints need no such help: their conditions are compiled by the ORM,
in a query, as ``full_clean`` compiles them.)"""

import inspect

import pytest
from django.db import connection
from django.db.models import UniqueConstraint

from actors.models import Citation

WHY_CONDITION = (
    "bundles.checks compiles a partial UniqueConstraint's condition to SQL with it, to "
    "find clashes of unique values among staged records in one statement; Django offers "
    "no public way to compile a constraint's condition alone, without a query around it."
)


def test_the_private_method_the_importer_calls_keeps_its_signature():
    method = getattr(UniqueConstraint, "_get_condition_sql", None)

    assert method is not None, (
        f"UniqueConstraint._get_condition_sql no longer exists: {WHY_CONDITION}"
    )
    parameters = list(inspect.signature(method).parameters)
    assert parameters == ["self", "model", "schema_editor"], (
        f"UniqueConstraint._get_condition_sql now takes {parameters}: {WHY_CONDITION}"
    )


@pytest.mark.django_db
def test_a_compiled_condition_names_columns_without_their_table():
    unique = next(
        c
        for c in Citation._meta.constraints
        if isinstance(c, UniqueConstraint) and c.name == "citation_unique_per_agreement"
    )

    # As the importer calls it: a schema editor used for its quoting, never entered.
    condition_sql = unique._get_condition_sql(Citation, connection.schema_editor())

    # The staging tables have the model's columns, not its table's name.
    assert "agreement_id" in condition_sql, WHY_CONDITION
    assert "NOT NULL" in condition_sql.upper(), WHY_CONDITION
    assert Citation._meta.db_table not in condition_sql, WHY_CONDITION
