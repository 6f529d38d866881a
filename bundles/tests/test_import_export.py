import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from actors.models import Agreement, Citation, TradeFigure
from articles.models import Article, find_quote
from bundles.importing import fixtures_import
from bundles.management.commands.seed import fixture_files
from bundles.models import ImportRun
from bundles.synthetic import Sizes
from bundles.tests.bundles import (
    DATASET_MODELS,
    QUOTE,
    SIZES,
    as_set,
    empty_the_dataset,
    exported,
    small_bundle,
    snapshot,
    synthetic,
    write,
)

pytestmark = pytest.mark.django_db

FIGURE = {
    "model": "actors.tradefigure",
    "pk": "55555555-5555-4555-8555-555555555555",
    "fields": {
        "reporter": ["kazakhstan"],
        "partner": ["mongolia"],
        "flow": "export",
        "year": 2024,
        "value": "150000000",
    },
}
FIGURE_CITATION = {
    "model": "actors.citation",
    "pk": "66666666-6666-4666-8666-666666666666",
    "fields": {"article": ["mongolia-pivot"], "trade_figure": FIGURE["pk"], "quote": QUOTE},
}


def test_export_reimports_into_an_empty_database_to_the_same_data(tmp_path):
    fixtures_import(paths=[write(tmp_path / "small.json", small_bundle())])
    fixtures_import(paths=[synthetic(tmp_path / "synthetic.json")])
    first = exported()
    bundle = write(tmp_path / "export.json", first)
    empty_the_dataset()

    report = fixtures_import(paths=[bundle])

    assert report.total("created") == len(first)
    assert as_set(exported()) == as_set(first)


def test_export_reimported_into_the_same_database_changes_nothing(tmp_path):
    fixtures_import(paths=[synthetic(tmp_path / "synthetic.json")])
    bundle = tmp_path / "export.json"
    call_command("export_fixtures", str(bundle), stdout=io.StringIO())
    before = snapshot()

    report = fixtures_import(paths=[bundle])

    assert report.wrote_nothing
    assert report.total("conflicts") == 0
    after = snapshot()
    assert after.pop("import runs") == before.pop("import runs") + 1
    assert after == before


def test_export_of_some_models_only(tmp_path):
    fixtures_import(paths=[write(tmp_path / "small.json", small_bundle())])
    bundle = tmp_path / "actors.json"

    call_command("export_fixtures", str(bundle), "--models", "actors.actor", stdout=io.StringIO())

    records = json.loads(bundle.read_text())
    assert {r["model"] for r in records} == {"actors.actor"}
    assert "created_at" not in records[0]["fields"]
    assert "pk" not in records[0]


def test_generator_is_deterministic_for_a_seed(tmp_path):
    first = synthetic(tmp_path / "a.json").read_bytes()
    again = synthetic(tmp_path / "b.json").read_bytes()
    other = synthetic(tmp_path / "c.json", seed=5).read_bytes()

    assert first == again
    assert first != other


def test_generator_quotes_occur_in_their_articles_where_it_says(tmp_path):
    records = json.loads(synthetic(tmp_path / "s.json").read_text())
    texts = {
        r["fields"]["slug"]: f"{r['fields']['lede']}\n\n{r['fields']['body']}"
        for r in records
        if r["model"] == "articles.article"
    }
    citations = [r["fields"] for r in records if r["model"] == "actors.citation"]

    assert len(citations) == SIZES.agreements + SIZES.trade_figures
    for citation in citations:
        text = texts[citation["article"][0]]
        assert find_quote(text, citation["quote"]) is not None
        assert text[citation["char_start"] : citation["char_end"]] == citation["quote"]
    counts = Counter(r["model"] for r in records)
    assert counts["actors.tradefigure"] == SIZES.trade_figures
    assert counts["articles.article"] == SIZES.articles


def test_generator_skews_trade_towards_a_few_pairs(tmp_path):
    sizes = Sizes(articles=20, actors=30, agreements=0, trade_figures=600)
    records = json.loads(synthetic(tmp_path / "s.json", sizes=sizes).read_text())
    pairs = Counter(
        frozenset((r["fields"]["reporter"][0], r["fields"]["partner"][0]))
        for r in records
        if r["model"] == "actors.tradefigure"
    )
    top = sum(count for _, count in pairs.most_common(5))
    # Five pairs out of hundreds carry a large share of the figures: a long tail.
    assert top > 0.25 * sizes.trade_figures
    assert len(pairs) > 50


def test_generated_bundle_is_loaddata_ready(tmp_path):
    path = synthetic(
        tmp_path / "s.json", Sizes(articles=2, actors=3, agreements=1, trade_figures=3)
    )

    call_command("loaddata", str(path), verbosity=0)

    assert TradeFigure.objects.count() == 3
    assert Citation.objects.count() == 4


def test_seed_imports_the_fixture_directory_once(tmp_path):
    directory = tmp_path / "fixtures"
    directory.mkdir()
    write(directory / "01_small.json", small_bundle())
    write(directory / "02_more.json", [FIGURE, FIGURE_CITATION])
    out = io.StringIO()

    call_command("seed", "--directory", str(directory), stdout=out)
    before = snapshot()
    again = io.StringIO()
    call_command("seed", "--directory", str(directory), stdout=again)

    assert "created" in out.getvalue()
    after = snapshot()
    assert after.pop("import runs") == before.pop("import runs") + 1
    assert after == before
    lines = again.getvalue().splitlines()
    assert any(
        line.startswith("actors.tradefigure") and line.split()[1:3] == ["0", "0"] for line in lines
    )


# The corpus fixtures -------------------------------------------------------------------

FIXTURES = fixture_files()
needs_fixtures = pytest.mark.skipif(
    not FIXTURES, reason="the corpus fixtures (fixtures/*.json) are not in this checkout"
)


@pytest.fixture
def seeded():
    call_command("seed", stdout=io.StringIO())


@needs_fixtures
def test_seed_loads_every_record_of_the_fixture_files(seeded):
    expected = Counter(
        record["model"] for path in FIXTURES for record in json.loads(path.read_text())
    )

    for model in DATASET_MODELS:
        assert model.objects.count() == expected.get(model._meta.label_lower, 0), model


@needs_fixtures
def test_seeded_quotes_occur_in_their_articles(seeded):
    for citation in Citation.objects.select_related("article"):
        text = citation.article.text
        assert find_quote(text, citation.quote) == (citation.char_start, citation.char_end)


@needs_fixtures
def test_every_seeded_fact_has_a_citation(seeded):
    assert not TradeFigure.objects.filter(citations__isnull=True).exists()
    assert not Agreement.objects.filter(citations__isnull=True).exists()


@needs_fixtures
def test_every_seeded_published_record_names_its_verification(seeded):
    run = ImportRun.objects.get()
    for model in (Article, Agreement, TradeFigure):
        published = model.objects.filter(review_status="published")
        assert published.exists(), model
        # No editor of this database checked them: the import run that published them is
        # their verification, named, with its moment.
        assert set(published.values_list("verified_via", "verified_by")) == {
            (run.change_reason, None)
        }, model
        assert not published.filter(verified_at__isnull=True).exists(), model


@needs_fixtures
def test_a_second_seed_changes_nothing(seeded):
    before = snapshot()

    call_command("seed", stdout=io.StringIO())

    after = snapshot()
    assert after.pop("import runs") == before.pop("import runs") + 1
    assert after == before
