"""Rows written one at a time (an alias, an identifier, a mention, a party, a citation) go
through services, from their own admin page too, and are checked with their siblings."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actors.models import ActorIdentifier, AgreementParty, Citation, Mention
from actors.services import (
    actor_identifier_create,
    actor_identifier_update,
    agreement_party_create,
    agreement_party_update,
    citation_create,
    citation_update,
    mention_create,
)
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE
from caci.tests.helpers import form_data

pytestmark = pytest.mark.django_db


def test_an_identifier_is_validated_and_recorded(mongolia, kazakhstan):
    identifier = actor_identifier_create(actor=mongolia, scheme="wikidata", value=" Q711 ")
    assert identifier.value == "Q711"
    assert identifier.history.count() == 1

    with pytest.raises(ValidationError) as refused:
        actor_identifier_create(actor=kazakhstan, scheme="wikidata", value="Q711")
    assert "__all__" in refused.value.message_dict
    assert ActorIdentifier.objects.count() == 1

    actor_identifier_update(identifier=identifier, data={"value": "Q712"})
    identifier.refresh_from_db()
    assert (identifier.value, identifier.history.count()) == ("Q712", 2)


def test_a_mention_twice_is_refused(article, mongolia):
    mention_create(article=article, actor=mongolia)
    with pytest.raises(ValidationError):
        mention_create(article=article, actor=mongolia)
    assert Mention.objects.count() == 1


def test_a_party_is_checked_with_the_agreements_other_parties(agreement, mongolia, kazakhstan):
    with pytest.raises(ValidationError) as refused:
        agreement_party_create(agreement=agreement, actor=mongolia)
    assert refused.value.message_dict == {"parties": ["An actor appears twice among the parties."]}

    party = agreement_party_create(agreement=agreement, actor=kazakhstan, role="broker")
    with pytest.raises(ValidationError):
        agreement_party_update(party=party, data={"actor": mongolia})
    party.refresh_from_db()
    assert party.actor == kazakhstan
    assert AgreementParty.objects.filter(agreement=agreement).count() == 3


def test_a_citation_is_checked_with_the_facts_other_citations(agreement, article):
    with pytest.raises(ValidationError) as refused:
        citation_create(article=article, quote=AGREEMENT_QUOTE, agreement=agreement)
    # Checked like the fact's page checks its citations: the same message on the same field.
    assert refused.value.message_dict == {
        "citations": ["Citation 2 (as citation 1): This passage is cited twice."]
    }

    added = citation_create(article=article, quote=TRADE_QUOTE, agreement=agreement)
    with pytest.raises(ValidationError):
        citation_update(citation=added, data={"quote": "Not in the article at all."})
    added.refresh_from_db()
    assert added.quote == TRADE_QUOTE
    assert Citation.objects.filter(agreement=agreement).count() == 2


def test_the_party_page_says_the_rule_and_saves_nothing(editor_client, agreement, mongolia):
    url = reverse("admin:actors_agreementparty_add")
    page = editor_client.get(url)

    response = editor_client.post(
        url, form_data(page, agreement=agreement.pk, actor=mongolia.pk, role="signatory")
    )

    assert response.status_code == 200
    assert "An actor appears twice among the parties." in response.content.decode()
    assert agreement.parties.count() == 2


def test_an_identifier_added_on_its_actors_page_is_written_by_the_service(
    editor_client, editor, mongolia
):
    url = reverse("admin:actors_actor_change", args=[mongolia.pk])
    page = editor_client.get(url)

    response = editor_client.post(
        url,
        form_data(
            page,
            **{
                "identifiers-TOTAL_FORMS": "1",
                "identifiers-0-scheme": "wikidata",
                "identifiers-0-value": " Q711 ",
            },
        ),
    )

    assert response.status_code == 302
    identifier = mongolia.identifiers.get()
    assert identifier.value == "Q711"  # Stripped by the service, not by the form.
    assert identifier.history.get().history_user == editor
