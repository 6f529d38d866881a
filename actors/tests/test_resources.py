"""Spreadsheets in and out: the same rules as every other write, all or nothing, and a
sheet exported and imported back unchanged changes nothing."""

from decimal import Decimal

import pytest
import tablib

from actors.models import Actor, Agreement, Citation, TradeFigure
from actors.resources import ActorResource, AgreementResource, TradeFigureResource
from actors.tests.factories import make_agreement
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE

pytestmark = pytest.mark.django_db


def exported(resource_class, fmt="csv"):
    return resource_class().export().export(fmt)


def load(text, fmt="csv"):
    return tablib.Dataset().load(text, format=fmt)


def run_import(resource_class, dataset, user=None, file_name="sheet.csv", dry_run=False):
    return resource_class().import_data(
        dataset, dry_run=dry_run, file_name=file_name, user=user, raise_errors=False
    )


def totals(result):
    return {kind: count for kind, count in result.totals.items() if count}


def snapshot(model):
    return sorted(
        (str(record.pk), record.updated_at, record.history.count())
        for record in model.objects.all()
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_an_export_imported_back_unchanged_changes_nothing(
    fmt, editor, agreement, trade_figure, mongolia
):
    make_agreement(
        agreement.citations.get().article,
        [mongolia, trade_figure.partner],
        number=2,
        signed_on=None,
    )
    for resource_class in (ActorResource, AgreementResource, TradeFigureResource):
        model = resource_class._meta.model
        before = snapshot(model)
        sheet = exported(resource_class, fmt)

        result = run_import(resource_class, load(sheet, fmt), user=editor)

        assert not result.has_errors()
        assert not result.has_validation_errors(), result.invalid_rows[0].error_dict
        assert totals(result) == {"skip": model.objects.count()}
        assert snapshot(model) == before


def test_an_actor_sheet_names_aliases_and_a_change_is_written_with_the_import_named(
    editor, mongolia
):
    sheet = load(exported(ActorResource))
    assert sheet.dict[0]["aliases"] == "Ulaanbaatar"
    sheet.append(["kyrgyzstan", "Kyrgyzstan", "country", "KG", "", "Bishkek; Kyrgyz Republic"])
    row = list(sheet[0])
    row[sheet.headers.index("aliases")] = "Ulaanbaatar; Ulan Bator"
    sheet[0] = row

    result = run_import(ActorResource, sheet, user=editor, file_name="actors.csv")

    assert totals(result) == {"new": 1, "update": 1}
    kyrgyzstan = Actor.objects.get(slug="kyrgyzstan")
    assert sorted(kyrgyzstan.aliases.values_list("name", flat=True)) == [
        "Bishkek",
        "Kyrgyz Republic",
    ]
    assert sorted(mongolia.aliases.values_list("name", flat=True)) == ["Ulaanbaatar", "Ulan Bator"]
    record = kyrgyzstan.history.get()
    assert record.history_change_reason == "Spreadsheet import of actors.csv by editor"
    assert record.history_user == editor


def trade_figure_row(
    reporter="MN", partner="kazakhstan", quote=TRADE_QUOTE, article="article-1", **changes
):
    row = {
        "id": "",
        "reporter": reporter,
        "partner": partner,
        "flow": "total",
        "commodity": "",
        "year": "2024",
        "value": "150000000",
        "currency": "usd",
        "qualifier": "approximately",
        "note": "",
        "review_status": "needs_review",
        "review_note": "",
        "citation_1_article": article,
        "citation_1_quote": quote,
        "citation_2_article": "",
        "citation_2_quote": "",
        "citation_3_article": "",
        "citation_3_quote": "",
        **changes,
    }
    return row


def sheet_of(rows):
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))
    return dataset


def test_a_new_trade_figure_refers_to_actors_by_iso_code_or_slug(article, mongolia, kazakhstan):
    result = run_import(TradeFigureResource, sheet_of([trade_figure_row()]))

    assert totals(result) == {"new": 1}
    figure = TradeFigure.objects.get()
    assert (figure.reporter, figure.partner) == (mongolia, kazakhstan)
    assert figure.currency == "USD"
    assert figure.value == Decimal("150000000")
    citation = figure.citations.get()
    assert article.text[citation.char_start : citation.char_end] == TRADE_QUOTE


def test_one_bad_row_writes_nothing_and_its_errors_name_the_row_and_the_field(
    article, mongolia, kazakhstan
):
    rows = [
        trade_figure_row(),
        trade_figure_row(reporter="atlantis", quote="Trade reached $9 billion."),
        trade_figure_row(year="1492"),
    ]

    result = run_import(TradeFigureResource, sheet_of(rows))

    assert TradeFigure.objects.count() == 0
    assert Citation.objects.count() == 0
    errors = {row.number: row.field_specific_errors for row in result.invalid_rows}
    assert set(errors) == {2, 3}
    assert errors[2]["reporter"] == ["No actor has the slug or ISO code “atlantis”."]
    assert "does not occur" in errors[2]["citation_1_quote"][0]
    assert list(errors[3]) == ["year"]


def test_a_sheet_without_a_citation_is_refused(article, mongolia, kazakhstan):
    result = run_import(TradeFigureResource, sheet_of([trade_figure_row(quote="", article="")]))

    errors = result.invalid_rows[0].field_specific_errors
    assert errors["citation_1_quote"] == [
        "Cite at least one article and the passage that states this."
    ]
    assert TradeFigure.objects.count() == 0


def test_an_unknown_id_is_refused_rather_than_guessed(article, mongolia, kazakhstan):
    result = run_import(
        TradeFigureResource,
        sheet_of([trade_figure_row(id="0b0e0d5e-8f55-4b1e-9a57-5d8d40a5b0f1")]),
    )

    assert "leave it blank" in result.invalid_rows[0].field_specific_errors["id"][0]
    assert TradeFigure.objects.count() == 0


def agreement_row(parties, quote=AGREEMENT_QUOTE, **changes):
    return {
        "id": "",
        "title": "Bilateral package",
        "kind": "package",
        "status": "signed",
        "signed": "2024-04",
        "instrument_count": "14",
        "summary": "",
        "review_status": "needs_review",
        "review_note": "",
        "parties": parties,
        "citation_1_article": "article-1",
        "citation_1_quote": quote,
        **changes,
    }


def test_an_agreement_row_lists_its_parties_with_roles(article, mongolia, uzbekistan):
    result = run_import(
        AgreementResource, sheet_of([agreement_row("mongolia:signatory; UZ:host")])
    )

    assert totals(result) == {"new": 1}
    agreement = Agreement.objects.get()
    assert sorted((p.actor.slug, p.role) for p in agreement.parties.all()) == [
        ("mongolia", "signatory"),
        ("uzbekistan", "host"),
    ]
    assert agreement.signed_display == "2024-04"
    assert str(agreement.signed_on_latest) == "2024-04-30"


@pytest.mark.parametrize(
    ("parties", "changes", "field", "message"),
    [
        ("mongolia", {}, "parties", "An agreement has at least 2 parties."),
        ("mongolia; mongolia", {}, "parties", "An actor appears twice among the parties."),
        ("mongolia; UZ:king", {}, "parties", "“king” is not a role"),
        ("mongolia; UZ", {"signed": "April 2024"}, "signed", "is not a date"),
        ("mongolia; UZ", {"kind": "alliance"}, "kind", "is not a valid choice"),
    ],
)
def test_a_bad_agreement_row_names_its_field(
    article, mongolia, uzbekistan, parties, changes, field, message
):
    result = run_import(AgreementResource, sheet_of([agreement_row(parties, **changes)]))

    errors = result.invalid_rows[0].field_specific_errors
    assert message in " ".join(errors[field])
    assert Agreement.objects.count() == 0


def test_an_import_that_changes_a_value_updates_and_keeps_the_rest(editor, trade_figure, settings):
    # A team of one publishes what it writes (with a second editor required, see below).
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = False
    sheet = load(exported(TradeFigureResource))
    row = sheet.dict[0]
    row["value"] = "160000000"
    row["review_status"] = "published"

    result = run_import(TradeFigureResource, sheet_of([row]), user=editor)

    assert totals(result) == {"update": 1}
    trade_figure.refresh_from_db()
    assert trade_figure.value == Decimal("160000000")
    assert trade_figure.review_status == "published"
    assert trade_figure.verified_by == editor
    assert trade_figure.citations.count() == 1


def test_a_row_that_publishes_its_own_change_is_refused_when_a_second_editor_verifies(
    editor, trade_figure, settings
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    sheet = load(exported(TradeFigureResource))
    row = sheet.dict[0]
    row["value"] = "160000000"
    row["review_status"] = "published"

    result = run_import(TradeFigureResource, sheet_of([row]), user=editor)

    errors = result.invalid_rows[0].field_specific_errors
    assert "another editor must verify it" in " ".join(errors["review_status"])
    trade_figure.refresh_from_db()
    assert trade_figure.value == Decimal("150000000")
    assert trade_figure.review_status == "needs_review"


def test_a_row_publishes_a_record_another_editor_wrote(editor, trade_figure, settings):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    sheet = load(exported(TradeFigureResource))
    row = sheet.dict[0]
    row["review_status"] = "published"

    result = run_import(TradeFigureResource, sheet_of([row]), user=editor)

    assert totals(result) == {"update": 1}
    trade_figure.refresh_from_db()
    assert trade_figure.review_status == "published"
    assert trade_figure.verified_by == editor


def test_a_preview_writes_nothing(article, mongolia, kazakhstan):
    result = run_import(TradeFigureResource, sheet_of([trade_figure_row()]), dry_run=True)

    assert totals(result) == {"new": 1}
    assert TradeFigure.objects.count() == 0


def test_a_sheet_without_an_id_column_adds_new_records(article, mongolia, kazakhstan):
    row = trade_figure_row()
    del row["id"]

    result = run_import(TradeFigureResource, sheet_of([row]))

    assert totals(result) == {"new": 1}
    assert TradeFigure.objects.count() == 1


def test_a_preview_shows_no_id_for_a_new_record_rather_than_one_it_will_not_have(
    article, mongolia, kazakhstan
):
    result = run_import(TradeFigureResource, sheet_of([trade_figure_row()]), dry_run=True)

    preview_of_id = result.rows[0].diff[0]
    assert preview_of_id == ""
