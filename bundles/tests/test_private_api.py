"""The private Django API the importer still relies on, pinned.

Should an upgrade of Django rename one of these methods or change its signature or output,
these tests fail first, saying what the importer needs it for, rather than imports failing
in some obscure way."""

import inspect

import pytest
from django.db import connection
from django.db.models import CheckConstraint, UniqueConstraint

from actors.models import Actor, Citation

WHY_CHECK = (
    "bundles.checks compiles each CheckConstraint's condition to SQL with it, to find every "
    "staged record that breaks the constraint in one statement; Django has no public way "
    "to compile a condition without its table's name."
)
WHY_CONDITION = (
    "bundles.checks compiles a partial UniqueConstraint's condition to SQL with it, to "
    "find clashes of unique values among staged records in one statement."
)


@pytest.mark.parametrize(
    ("owner", "name", "why"),
    [
        (CheckConstraint, "_get_check_sql", WHY_CHECK),
        (UniqueConstraint, "_get_condition_sql", WHY_CONDITION),
    ],
)
def test_the_private_methods_the_importer_calls_keep_their_signature(owner, name, why):
    method = getattr(owner, name, None)

    assert method is not None, f"{owner.__name__}.{name} no longer exists: {why}"
    parameters = list(inspect.signature(method).parameters)
    assert parameters == ["self", "model", "schema_editor"], (
        f"{owner.__name__}.{name} now takes {parameters}: {why}"
    )


def test_a_compiled_condition_names_columns_without_their_table():
    editor = connection.schema_editor()
    check = next(
        c for c in Actor._meta.constraints if c.name == "actor_iso_code_two_upper_letters"
    )
    unique = next(c for c in Citation._meta.constraints if c.name.startswith("citation_unique"))

    check_sql = check._get_check_sql(Actor, editor)
    condition_sql = unique._get_condition_sql(Citation, editor)

    # The staging tables have the model's columns, not its table's name.
    assert "iso_code" in check_sql, WHY_CHECK
    assert Actor._meta.db_table not in check_sql, WHY_CHECK
    assert "agreement_id" in condition_sql, WHY_CONDITION
    assert Citation._meta.db_table not in condition_sql, WHY_CONDITION
