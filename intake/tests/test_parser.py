"""Reading a pasted page: the corpus as the dataset stores it, and fictional pages."""

import json
from datetime import date

import pytest

from intake.parser import IntakeError, parse_page
from intake.tests.helpers import CORPUS, FIXTURES, fictional


def stored_articles() -> list[dict]:
    rows = json.loads((FIXTURES / "01_articles.json").read_text(encoding="utf-8"))
    return [row["fields"] for row in rows if row["model"] == "articles.article"]


def test_the_corpus_page_reads_as_the_five_articles_the_dataset_stores():
    parsed = parse_page(CORPUS.read_text(encoding="utf-8"))

    stored = stored_articles()
    assert len(parsed) == len(stored) == 5
    for article, fields in zip(parsed, stored, strict=True):
        assert article.lede == fields["lede"]
        assert article.body == fields["body"]
        assert article.section == fields["section"]


def test_what_the_corpus_does_not_give_stays_empty():
    first, second, third, *_ = parse_page(CORPUS.read_text(encoding="utf-8"))

    assert first.title == ""
    assert first.published_on is None
    assert first.missing == ["title", "publication date"]
    assert second.title == 'Has the West "Lost" Azerbaijan?'
    assert second.authors == ["Robert M. Cutler"]
    assert third.debris == [
        "south-caucasus-satellite-image-1e2b93-1024.jpg",
        "Photo source: NASA.",
    ]


def test_a_shared_bio_is_split_between_the_authors():
    first = parse_page(CORPUS.read_text(encoding="utf-8"))[0]

    bio = first.bio_of("Tuvshinzaya Gantulga")
    assert bio.startswith("Tuvshinzaya Gantulga is a Nonresident Fellow")
    assert bio.endswith("members of the CAMCA Network.")
    assert "Ambassador-at-Large" not in bio


def test_a_fictional_page_with_date_line_title_byline_and_debris():
    (article,) = parse_page(fictional("01"))

    assert article.title == "Veloria and Ostrand Rebuild Their Caspian Trade"
    assert article.published_on == date(2025, 3, 3)
    assert article.authors == ["Marta Kelling"]
    assert article.section == "analytical-articles"
    assert article.lede.startswith("Fictional text for tests. Trade between Veloria")
    assert article.body.startswith("BACKGROUND: Veloria's exports")
    assert article.debris == [
        "veloria-port-2025.jpg",
        "Photo source: Velorian Ports Authority.",
    ]
    assert article.bio == "Marta Kelling is a researcher at the Institute of Imaginary Studies."


def test_a_section_line_heading_the_page_belongs_to_the_article_below_it():
    (article,) = parse_page(fictional("02"))

    assert article.section == "field-reports"
    assert article.authors == ["Tomas Brenner", "Ilse Voronova"]
    assert article.title == ""
    assert article.missing == ["title", "publication date"]


def test_a_bare_name_byline_and_a_day_month_year_date_line():
    (article,) = parse_page(fictional("04"))

    assert article.authors == ["Lena Hartwig"]
    assert article.title == "Doremia's Quiet Election"
    assert article.published_on == date(2025, 9, 22)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The text is empty"),
        ("   \n\n  ", "The text is empty"),
        ("Just a line.\n\nAnother line.", "No article found"),
        ("By Someone Here\n\nToo short a lede.", "No article found"),
    ],
)
def test_empty_or_malformed_text_is_refused_with_a_message(text, message):
    with pytest.raises(IntakeError, match=message):
        parse_page(text)
