"""The verification rule on a database that holds records published before it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("articles", "0006_verified_via"), ("actors", "0010_verified_via")]
AFTER = [("articles", "0008_published_is_verified"), ("actors", "0012_published_is_verified")]


@pytest.fixture
def latest_schema_after():
    """The database at its latest migrations again when the test ends, for the tests that
    follow it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# Its own transactions (migrations); the rows the migrations wrote (groups) come back after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_records_published_before_verification_was_recorded_say_so():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Article = apps.get_model("articles", "Article")
    Agreement = apps.get_model("actors", "Agreement")
    User = apps.get_model("auth", "User")
    checker = User.objects.create(username="checker")
    unverified = Article.objects.create(slug="old", section="analytical-articles", title="Old")
    Article.objects.filter(pk=unverified.pk).update(review_status="published")
    verified = Agreement.objects.create(
        title="Checked", kind="package", review_status="published", verified_by=checker
    )
    waiting = Agreement.objects.create(title="Waiting", kind="package")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    article = apps.get_model("articles", "Article").objects.get(pk=unverified.pk)
    assert article.verified_via == "Published before verification was recorded"
    assert article.verified_at == article.updated_at
    assert article.verified_by_id is None
    agreements = apps.get_model("actors", "Agreement").objects
    # An editor's verification is kept; only its missing moment is filled in.
    checked = agreements.get(pk=verified.pk)
    assert (checked.verified_by_id, checked.verified_via) == (checker.pk, "")
    assert checked.verified_at is not None
    assert agreements.get(pk=waiting.pk).verified_via == ""
