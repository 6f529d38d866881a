"""Private Django API that the importer still relies on, checked so that an upgrade that
changes it fails here, saying why."""

import pytest
from django.db import connection
from django.db.models import UniqueConstraint

from actors.models import Citation


@pytest.mark.django_db
def test_django_still_compiles_a_unique_constraints_condition_for_the_importer():
    # The importer's uniqueness checks put a partial unique constraint's condition into SQL
    # over the staged rows (bundles/importing.py, unique_sets); Django offers no public way
    # to compile a constraint's condition alone, without a query around it.
    constraint = next(
        c
        for c in Citation._meta.constraints
        if isinstance(c, UniqueConstraint) and c.name == "citation_unique_per_agreement"
    )
    compile_condition = getattr(constraint, "_get_condition_sql", None)
    assert callable(compile_condition), (
        "Django no longer has UniqueConstraint._get_condition_sql: the importer's "
        "unique_sets must compile partial unique constraints' conditions another way "
        "(as check_constraints compiles check constraints, with a QuerySet)."
    )
    # As the importer calls it: a schema editor used for its quoting, never entered.
    sql = compile_condition(Citation, connection.schema_editor())
    assert "agreement_id" in sql
    assert "NOT NULL" in sql.upper()
