"""Spreadsheets from the admin's lists: export what the list shows, import with a preview."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actors.models import ActorKind, TradeFigure
from actors.services import actor_create
from articles.tests.factories import TRADE_QUOTE

pytestmark = pytest.mark.django_db

CSV_FORMAT = "0"  # The first of the admin's formats: CSV, XLSX, JSON.


def rows_of(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_follows_the_lists_filters(editor_client, mongolia):
    actor_create(name="Asian Development Bank", slug="adb", kind=ActorKind.ORGANIZATION)
    export = reverse("admin:actors_actor_export")

    everything = editor_client.post(export, {"format": CSV_FORMAT, "resource": "0"})
    filtered = editor_client.post(
        export + "?kind__exact=organization", {"format": CSV_FORMAT, "resource": "0"}
    )

    assert everything["Content-Type"].startswith("text/csv")
    assert sorted(row["slug"] for row in rows_of(everything)) == ["adb", "mongolia"]
    assert [row["slug"] for row in rows_of(filtered)] == ["adb"]


def figure_csv(*quotes: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "reporter",
            "partner",
            "flow",
            "year",
            "value",
            "qualifier",
            "citation_1_article",
            "citation_1_quote",
        ]
    )
    for quote in quotes:
        writer.writerow(
            ["", "MN", "KZ", "total", "2024", "150000000", "approximately", "article-1", quote]
        )
    return out.getvalue().encode()


def upload(client, content: bytes, name="figures.csv"):
    return client.post(
        reverse("admin:actors_tradefigure_import"),
        {
            "format": CSV_FORMAT,
            "resource": "0",
            "import_file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def test_an_import_shows_a_preview_then_writes_on_confirmation(
    editor_client, editor, article, mongolia, kazakhstan
):
    preview = upload(editor_client, figure_csv(TRADE_QUOTE))

    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 1
    assert TradeFigure.objects.count() == 0
    confirm = preview.context["confirm_form"]

    response = editor_client.post(
        reverse("admin:actors_tradefigure_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )

    assert response.status_code == 302
    figure = TradeFigure.objects.get()
    record = figure.history.get()
    assert record.history_user == editor
    assert record.history_change_reason == "Spreadsheet import of figures.csv by editor"


def test_an_import_with_a_bad_row_shows_the_row_and_field_and_offers_no_confirmation(
    editor_client, article, mongolia, kazakhstan
):
    response = upload(editor_client, figure_csv(TRADE_QUOTE, "Trade reached $9 billion."))

    assert "confirm_form" not in response.context
    html = response.content.decode()
    assert "Some rows failed to validate" in html
    invalid = response.context["result"].invalid_rows
    assert [row.number for row in invalid] == [2]
    assert list(invalid[0].field_specific_errors) == ["citation_1_quote"]
    assert TradeFigure.objects.count() == 0


def test_a_viewer_exports_but_cannot_import(viewer_client, article, mongolia, kazakhstan):
    export = viewer_client.post(
        reverse("admin:actors_actor_export"), {"format": CSV_FORMAT, "resource": "0"}
    )

    assert [row["slug"] for row in rows_of(export)] == ["kazakhstan", "mongolia"]
    assert upload(viewer_client, figure_csv(TRADE_QUOTE)).status_code == 403
    assert TradeFigure.objects.count() == 0
