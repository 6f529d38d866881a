"""The review workflow: publish or send back from the lists, and one page of everything
waiting for an editor."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actors.models import Agreement
from actors.services import agreement_update
from actors.tests.factories import make_agreement
from caci.tests.helpers import form_data
from core.editorial import ReviewStatus
from core.history import history_context
from core.services import (
    model_update,
    record_review,
    records_publish,
    records_send_back_to_review,
)

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


# One review service, from every door ---------------------------------------------------


@pytest.fixture
def second_editor(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="second-editor", password="not-used", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def written_by(user, record):
    """A new version of ``record`` that ``user`` wrote (its summary or its note)."""
    field = "summary" if hasattr(record, "summary") else "note"
    with history_context(reason="An edit", user=user):
        model_update(instance=record, data={field: f"Written by {user}."}, fields=[field])


def test_a_published_record_without_a_verification_is_refused_by_model_and_database(
    agreement,
):
    agreement.review_status = ReviewStatus.PUBLISHED

    with pytest.raises(ValidationError) as refused:
        agreement.full_clean()
    assert "names who verified it" in " ".join(refused.value.message_dict["review_status"])

    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(review_status=ReviewStatus.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(
            review_status=ReviewStatus.PUBLISHED, verified_at=timezone.now()
        )
    agreement.refresh_from_db()
    assert agreement.review_status == ReviewStatus.NEEDS_REVIEW


def test_the_create_and_update_services_leave_the_review_to_the_review(agreement):
    agreement_update(agreement=agreement, data={"review_status": ReviewStatus.PUBLISHED})

    agreement.refresh_from_db()
    assert agreement.review_status == ReviewStatus.NEEDS_REVIEW
    with pytest.raises(TypeError):
        make_agreement(agreement.citations.get().article, [], review_status="published")


@pytest.mark.parametrize("second_editor_required", [True, False])
def test_an_editor_publishes_what_they_wrote_only_when_no_second_editor_is_required(
    settings, editor, second_editor, trade_figure, second_editor_required
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = second_editor_required
    written_by(editor, trade_figure)

    if second_editor_required:
        with pytest.raises(ValidationError) as refused:
            records_publish(records=[trade_figure], user=editor)
        assert "You wrote the current version" in refused.value.message_dict["review_status"][0]
        trade_figure.refresh_from_db()
        assert trade_figure.review_status == ReviewStatus.NEEDS_REVIEW
        assert trade_figure.verified_by is None
        verifier = second_editor
    else:
        verifier = editor

    assert records_publish(records=[trade_figure], user=verifier) == 1
    trade_figure.refresh_from_db()
    assert (trade_figure.review_status, trade_figure.verified_by) == ("published", verifier)


def test_reviewing_a_record_does_not_make_the_reviewer_its_author(
    settings, editor, second_editor, trade_figure
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    written_by(editor, trade_figure)
    records_publish(records=[trade_figure], user=second_editor)
    record_review(record=trade_figure, status="needs_review", user=second_editor, note="Check.")

    with pytest.raises(ValidationError):
        record_review(record=trade_figure, status="published", user=editor)
    record_review(record=trade_figure, status="published", user=second_editor)

    trade_figure.refresh_from_db()
    assert trade_figure.verified_by == second_editor
    assert trade_figure.review_note == "Check."


def test_a_refused_publication_publishes_none_of_the_selection(
    settings, editor, second_editor, agreement, trade_figure
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    written_by(editor, agreement)

    with pytest.raises(ValidationError):
        records_publish(records=[trade_figure, agreement], user=editor)

    trade_figure.refresh_from_db()
    assert trade_figure.review_status == ReviewStatus.NEEDS_REVIEW


@pytest.mark.parametrize("second_editor_required", [True, False])
def test_the_publish_action_follows_the_second_editor_setting(
    settings, editor_client, editor, agreement, second_editor_required
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = second_editor_required
    written_by(editor, agreement)

    response = run_action(editor_client, Agreement, "publish_selected", [agreement])

    agreement.refresh_from_db()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    if second_editor_required:
        assert agreement.review_status == ReviewStatus.NEEDS_REVIEW
        assert agreement.verified_by is None
        assert shown[0].startswith("Nothing was published.")
        assert "another editor must verify it" in shown[0]
    else:
        assert agreement.review_status == ReviewStatus.PUBLISHED
        assert agreement.verified_by == editor
        assert shown == ["1 agreements published."]


def test_the_change_form_publishes_through_the_review(
    settings, client, editor, second_editor, agreement
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    written_by(editor, agreement)
    url = reverse("admin:actors_agreement_change", args=[agreement.pk])

    # The author cannot publish their version; the page says so and nothing is written.
    client.force_login(editor)
    page = client.get(url)
    refused = client.post(url, form_data(page, review_status="published"))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["review_status"]
    assert "another editor must verify it" in " ".join(errors)
    agreement.refresh_from_db()
    assert agreement.review_status == ReviewStatus.NEEDS_REVIEW

    # A second editor who changes nothing else publishes it, named as its verifier.
    client.force_login(second_editor)
    page = client.get(url)
    accepted = client.post(url, form_data(page, review_status="published"))
    assert accepted.status_code == 302
    agreement.refresh_from_db()
    assert agreement.review_status == ReviewStatus.PUBLISHED
    assert agreement.verified_by == second_editor

    # Nor can they publish an edit of their own in the same save.
    agreement.refresh_from_db()
    records_send_back_to_review(records=[agreement])
    page = client.get(url)
    edited = client.post(
        url, form_data(page, review_status="published", summary="Rewritten by me.")
    )
    assert edited.status_code == 200
    agreement.refresh_from_db()
    assert agreement.summary == "Written by editor."


@pytest.mark.parametrize("second_editor_required", [True, False])
def test_the_api_publishes_through_the_review(
    settings, api, editor, second_editor, trade_figure, second_editor_required
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = second_editor_required
    written_by(editor, trade_figure)
    url = f"/api/v1/trade-figures/{trade_figure.pk}/"
    api.force_authenticate(editor)

    response = api.patch(url, {"review_status": "published"}, format="json")

    trade_figure.refresh_from_db()
    if second_editor_required:
        assert response.status_code == 400
        assert "another editor must verify it" in response.json()["errors"]["review_status"][0]
        assert trade_figure.review_status == ReviewStatus.NEEDS_REVIEW
        api.force_authenticate(second_editor)
        # An edit and its publication in one request: the second editor wrote that version.
        both = api.patch(url, {"review_status": "published", "note": "Mine."}, format="json")
        assert both.status_code == 400
        assert "review_status" in both.json()["errors"]
        trade_figure.refresh_from_db()
        assert trade_figure.note == "Written by editor."
        response = api.patch(url, {"review_status": "published"}, format="json")
        verifier = second_editor
    else:
        verifier = editor
    assert response.status_code == 200, response.json()
    assert response.json()["review_status"] == "published"
    trade_figure.refresh_from_db()
    assert trade_figure.verified_by == verifier


@pytest.mark.parametrize("second_editor_required", [True, False])
def test_a_revert_to_a_published_version_publishes_it_through_the_review(
    settings, client, editor, second_editor, agreement, second_editor_required
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = second_editor_required
    records_publish(records=[agreement], user=second_editor)
    published_version = agreement.history.first()
    records_send_back_to_review(records=[agreement])
    written_by(editor, agreement)
    revert = reverse(
        "admin:actors_agreement_simple_history", args=[agreement.pk, published_version.pk]
    )
    client.force_login(editor)

    page = client.get(revert)
    response = client.post(revert, form_data(page))

    assert response.status_code == 302
    agreement.refresh_from_db()
    if second_editor_required:
        # The revert writes a new version, the editor's: another editor must verify it.
        assert agreement.summary == "Written by editor."
        assert agreement.review_status == ReviewStatus.NEEDS_REVIEW
        shown = [str(m) for m in get_messages(response.wsgi_request)]
        assert shown[0].startswith("Nothing was reverted.")
    else:
        assert agreement.summary == ""
        assert agreement.review_status == ReviewStatus.PUBLISHED
        assert agreement.verified_by == editor
