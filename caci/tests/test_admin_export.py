"""Every list of the admin exports as a spreadsheet (CSV, XLSX, JSON), as filtered, and the
sheet of a fact holds all its citations."""

import csv
import io
import json

import pytest
import tablib
from django.contrib import admin
from django.urls import reverse

from actors.models import Agreement, Citation
from actors.resources import AgreementResource
from actors.services import CitationInput
from actors.tests.factories import make_agreement
from articles.tests.factories import BODY, LEDE
from caci.tests.dataset import records_populate

pytestmark = pytest.mark.django_db

DATASET_ADMINS = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in {"articles", "actors", "bundles"}
}
# The admin's export formats, in the order its form offers them.
FORMATS = {"csv": "0", "xlsx": "1", "json": "2"}
# Five passages of the test article's text.
FIVE_QUOTES = (
    "Mongolia's diplomatic engagement",
    "with Central Asia marks a pivotal evolution",
    "Trade with Kazakhstan has reached",
    "approximately $150 million annually",
    "yielded 14 bilateral agreements",
)


def export_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")


def rows_of(response, fmt: str) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    if fmt == "json":
        return json.loads(response.content)
    return tablib.Dataset().load(response.content, format="xlsx").dict


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def cited_five_times():
    """An agreement with five citations, next to records_populate's agreements with one."""
    records_populate(2)
    article = Citation.objects.filter(agreement__isnull=False).first().article
    assert all(quote in f"{LEDE}\n\n{BODY}" for quote in FIVE_QUOTES)
    parties = [party.actor for party in Agreement.objects.first().parties.all()]
    return make_agreement(
        article,
        parties,
        number=5,
        citations=[CitationInput(article=article, quote=quote) for quote in FIVE_QUOTES],
    )


@pytest.mark.parametrize("model", DATASET_ADMINS, ids=lambda m: m._meta.label_lower)
def test_every_list_exports_every_record_in_every_format(superuser_client, model):
    cited_five_times()

    for fmt, choice in FORMATS.items():
        response = superuser_client.post(export_url(model), {"format": choice, "resource": "0"})

        assert response.status_code == 200, response.content[:500]
        assert len(rows_of(response, fmt)) == model._default_manager.count() > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_agreement_sheet_holds_every_citation_and_imports_back_unchanged(
    superuser_client, admin_user, fmt
):
    five = cited_five_times()

    response = superuser_client.post(
        export_url(Agreement), {"format": FORMATS[fmt], "resource": "0"}
    )

    rows = {row["id"]: row for row in rows_of(response, fmt)}
    cited = rows[str(five.pk)]
    assert sorted(cited[f"citation_{n}_quote"] for n in range(1, 6)) == sorted(FIVE_QUOTES)
    once_cited = next(row for pk, row in rows.items() if pk != str(five.pk))
    assert once_cited["citation_2_quote"] in ("", None)
    before = sorted((str(a.pk), a.updated_at, a.history.count()) for a in Agreement.objects.all())

    sheet = tablib.Dataset().load(
        response.content if fmt == "xlsx" else response.content.decode("utf-8-sig"), format=fmt
    )
    result = AgreementResource().import_data(sheet, user=admin_user, raise_errors=False)

    assert not result.has_errors()
    assert not result.has_validation_errors(), result.invalid_rows[0].error_dict
    assert result.totals["skip"] == Agreement.objects.count()
    after = sorted((str(a.pk), a.updated_at, a.history.count()) for a in Agreement.objects.all())
    assert after == before
    assert five.citations.count() == 5


def test_an_export_of_a_filtered_list_holds_only_its_rows(superuser_client):
    five = cited_five_times()
    Agreement.objects.filter(pk=five.pk).update(kind="treaty")

    response = superuser_client.post(
        export_url(Agreement) + "?kind__exact=treaty", {"format": FORMATS["csv"], "resource": "0"}
    )

    assert [row["id"] for row in rows_of(response, "csv")] == [str(five.pk)]
