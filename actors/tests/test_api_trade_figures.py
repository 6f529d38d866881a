import pytest

from caci.tests.helpers import csv_rows, ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/trade-figures/"


def fig_ids(*figures):
    return {str(figure.pk) for figure in figures}


def test_a_trade_figure_reads_in_one_request_with_its_sides_and_sources(api, dataset):
    figure = dataset.figures.az_cn_2024

    body = api.get(f"{URL}{figure.pk}/").json()

    citation = figure.citations.get()
    assert body == {
        "url": f"http://testserver{URL}{figure.pk}/",
        "id": str(figure.pk),
        "reporter": {
            "slug": "azerbaijan",
            "name": "Azerbaijan",
            "kind": "country",
            "iso_code": "AZ",
        },
        "partner": {"slug": "china", "name": "China", "kind": "country", "iso_code": "CN"},
        "flow": "total",
        "commodity": "",
        "year": 2024,
        "value": "3740000000.00",
        "currency": "USD",
        "qualifier": "nearly",
        "note": "",
        "citations": [
            {
                "article": {
                    "slug": "has-the-west-lost-azerbaijan",
                    "title": 'Has the West "Lost" Azerbaijan?',
                    "published": "2025-06-05",
                },
                "quote": citation.quote,
                "char_start": citation.char_start,
                "char_end": citation.char_end,
            }
        ],
        "review_status": "published",
        "review_note": "",
        "verified_at": figure.verified_at.isoformat().replace("+00:00", "Z"),
        "created_at": figure.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": figure.updated_at.isoformat().replace("+00:00", "Z"),
    }
    cited = dataset.articles.cutler.text[citation.char_start : citation.char_end]
    assert cited.split() == citation.quote.split()


@pytest.mark.parametrize(
    ("query", "expected", "excluded"),
    [
        ("reporter=kazakhstan", ["kz_exports_2017", "kz_exports_2022"], ["horse_meat_2017"]),
        ("reporter=KZ", ["kz_exports_2017", "kz_exports_2022"], ["mn_kz_total"]),
        ("partner=kazakhstan", ["mn_kz_total", "horse_meat_2022"], ["kz_exports_2017"]),
        ("partner=mn", ["kz_exports_2017", "kz_exports_2022"], ["horse_meat_2017"]),
        ("actor=kazakhstan", ["mn_kz_total", "kz_exports_2017"], ["mn_kg_2017"]),
        ("actor=mongolia&actor=kyrgyzstan", ["mn_kg_2017"], ["mn_kz_total"]),
        ("flow=export", ["horse_meat_2017", "kz_exports_2022"], ["mn_kz_total"]),
        ("commodity=HORSE", ["horse_meat_2017", "horse_meat_2022"], ["kz_exports_2017"]),
        ("year=2022", ["horse_meat_2022", "kz_exports_2022"], ["horse_meat_2017"]),
        ("year_min=2022", ["horse_meat_2022", "az_cn_2024"], ["kz_exports_2017", "mn_kz_total"]),
        ("year_max=2017", ["horse_meat_2017", "mn_kg_2017"], ["kz_exports_2022", "mn_kz_total"]),
        ("value_min=1000000000", ["az_cn_2024", "ru_ir_2024"], ["mn_kz_total"]),
        ("value_max=2900000", ["horse_meat_2017", "mn_kg_2017"], ["horse_meat_2022"]),
        ("qualifier=at-most", ["ru_ir_2024"], ["az_cn_2024"]),
        (
            "article=has-the-west-lost-azerbaijan",
            ["az_cn_2024"],
            ["ru_ir_2024", "mn_kz_total"],
        ),
    ],
)
def test_trade_figure_filters(api, dataset, query, expected, excluded):
    found = ids(api.get(f"{URL}?{query}&page_size=100"))

    assert fig_ids(*(getattr(dataset.figures, name) for name in expected)) <= found
    assert not fig_ids(*(getattr(dataset.figures, name) for name in excluded)) & found


def test_trade_between_two_actors_is_found_whoever_reports_it(api, dataset):
    f = dataset.figures

    found = ids(api.get(f"{URL}?actor=mongolia&actor=KZ&year_min=2017"))

    assert found == fig_ids(
        f.horse_meat_2017, f.horse_meat_2022, f.kz_exports_2017, f.kz_exports_2022
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("reporter=atlantis", "reporter"),
        ("reporter=50%25", "reporter"),
        ("actor=%25s", "actor"),
        ("partner=XX", "partner"),
        ("actor=mongolia&actor=nowhere", "actor"),
        ("actor=mongolia&actor=china&actor=iran", "actor"),
        ("year=abc", "year"),
        ("year=1.5", "year"),
        ("year_min=99999999999999999999999", "year_min"),
        ("value_min=lots", "value_min"),
        ("value_max=1e40", "value_max"),
        ("flow=sideways", "flow"),
        ("qualifier=roughly", "qualifier"),
        ("article=no-such-article", "article"),
        ("updated_since=yesterday", "updated_since"),
        ("ordering=colour", "ordering"),
        ("reporter_slug=mongolia", "reporter_slug"),
        ("commodity=oil%00", "commodity"),
    ],
)
def test_a_filter_value_the_api_cannot_use_is_a_400_naming_it(api, dataset, query, parameter):
    response = api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_ordering_by_value_descending_puts_figures_without_a_year_last(api, dataset):
    by_value = api.get(f"{URL}?ordering=-value&page_size=100").json()["results"]
    by_year = api.get(f"{URL}?ordering=-year&page_size=100").json()["results"]

    values = [float(record["value"]) for record in by_value]
    assert values == sorted(values, reverse=True)
    assert [record["year"] for record in by_year][-1] is None


def test_figures_under_review_are_hidden_from_the_public(api, dataset):
    hidden = dataset.figures.mn_az_2024

    assert str(hidden.pk) not in ids(api.get(f"{URL}?page_size=100"))
    assert api.get(f"{URL}{hidden.pk}/").status_code == 404


def test_csv_export_has_one_flat_row_per_figure_with_the_filters_applied(api, dataset):
    response = api.get(f"{URL}?actor=mongolia&actor=kazakhstan&year_min=2017&format=csv")

    rows = csv_rows(response)
    assert response["Content-Disposition"] == 'attachment; filename="trade-figures.csv"'
    assert list(rows[0]) == [
        "url",
        "id",
        "reporter_slug",
        "reporter_name",
        "reporter_kind",
        "reporter_iso_code",
        "partner_slug",
        "partner_name",
        "partner_kind",
        "partner_iso_code",
        "flow",
        "commodity",
        "year",
        "value",
        "currency",
        "qualifier",
        "note",
        "citation_article_slugs",
        "citation_quotes",
        "review_status",
        "review_note",
        "verified_at",
        "created_at",
        "updated_at",
    ]
    assert {row["id"] for row in rows} == fig_ids(
        dataset.figures.horse_meat_2017,
        dataset.figures.horse_meat_2022,
        dataset.figures.kz_exports_2017,
        dataset.figures.kz_exports_2022,
    )
    kazakh = next(
        row for row in rows if row["reporter_iso_code"] == "KZ" and row["year"] == "2017"
    )
    assert kazakh["partner_slug"] == "mongolia"
    assert kazakh["value"] == "72900000.00"
    assert kazakh["citation_quotes"].startswith("Kazakhstan's exports to Mongolia")


def test_csv_is_also_chosen_by_the_accept_header(api, dataset):
    response = api.get(f"{URL}?year=2024", HTTP_ACCEPT="text/csv")

    assert {row["year"] for row in csv_rows(response)} == {"2024"}


def test_an_error_asked_for_as_csv_still_reads_as_json(api, dataset):
    response = api.get(f"{URL}?year=abc&format=csv")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "year" in response.json()["errors"]
