"""The review workflow: publish or send back from the lists, and one page of everything
waiting for an editor."""

import pytest
from django.urls import reverse

from actors.services import agreement_update
from core.editorial import ReviewStatus
from core.services import records_publish

pytestmark = pytest.mark.django_db


def run_action(client, model, action, records):
    return client.post(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        {"action": action, "_selected_action": [record.pk for record in records]},
    )


def test_an_editor_publishes_selected_records_as_checked_by_them(
    editor_client, editor, agreement, trade_figure
):
    response = run_action(editor_client, type(agreement), "publish_selected", [agreement])

    assert response.status_code == 302
    agreement.refresh_from_db()
    trade_figure.refresh_from_db()
    assert agreement.review_status == ReviewStatus.PUBLISHED
    assert agreement.verified_by == editor
    assert agreement.verified_at is not None
    assert agreement.history.first().history_user == editor
    assert trade_figure.review_status == ReviewStatus.NEEDS_REVIEW


def test_an_editor_sends_a_record_back_to_review(editor_client, editor, trade_figure):
    records_publish(records=[trade_figure], user=editor)

    run_action(editor_client, type(trade_figure), "send_back_to_review", [trade_figure])

    trade_figure.refresh_from_db()
    assert trade_figure.review_status == ReviewStatus.NEEDS_REVIEW
    assert trade_figure.verified_by is None
    assert trade_figure.verified_at is None


def test_the_review_page_lists_what_waits_across_models_with_notes(
    editor_client, editor, article, agreement, trade_figure
):
    agreement_update(agreement=agreement, data={"review_note": "The source gives no date."})
    records_publish(records=[trade_figure], user=editor)

    response = editor_client.get(reverse("admin:needs_review"))

    listed = {
        section["opts"].model_name: [row["record"] for row in section["rows"]]
        for section in response.context["sections"]
    }
    assert listed == {"agreement": [agreement], "article": [article], "tradefigure": []}
    html = response.content.decode()
    assert "The source gives no date." in html
    assert reverse("admin:actors_agreement_change", args=[agreement.pk]) in html
    assert reverse("admin:articles_article_change", args=[article.pk]) in html
    assert response.context["total"] == 2


def test_the_admin_index_links_the_review_queue_and_deleted_records(editor_client, agreement):
    response = editor_client.get(reverse("admin:index"))

    html = response.content.decode()
    assert reverse("admin:needs_review") in html
    assert reverse("admin:deleted_records") in html
    # The agreement and the article it cites.
    assert response.context["needs_review_count"] == 2


def test_the_review_filter_lists_only_what_needs_review(editor_client, editor, agreement, article):
    from actors.tests.factories import make_agreement

    published = make_agreement(article, [p.actor for p in agreement.parties.all()], number=2)
    records_publish(records=[published], user=editor)
    changelist = reverse("admin:actors_agreement_changelist")

    waiting = editor_client.get(changelist, {"review_status__exact": "needs_review"})
    done = editor_client.get(changelist, {"review_status__exact": "published"})

    assert list(waiting.context["cl"].result_list) == [agreement]
    assert list(done.context["cl"].result_list) == [published]
