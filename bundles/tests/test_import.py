import gc
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import (
    Actor,
    ActorAlias,
    Agreement,
    AgreementParty,
    Citation,
    Mention,
    TradeFigure,
)
from actors.services import trade_figure_update
from articles.models import Article, Authorship, find_quote
from bundles.importing import fixtures_import
from bundles.models import ImportRun
from bundles.report import BundleInvalid
from bundles.tests.bundles import (
    AGREEMENT_ID,
    FIGURE_ID,
    QUOTE,
    find,
    small_bundle,
    snapshot,
    write,
)
from core.services import records_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle_path(tmp_path):
    return write(tmp_path / "bundle.json", small_bundle())


def test_import_creates_every_record_with_the_models_rules_applied(bundle_path):
    report = fixtures_import(paths=[bundle_path])

    assert report.total("created") == len(small_bundle())
    citation = Citation.objects.select_related("article").get(trade_figure_id=FIGURE_ID)
    # The quote's line break in the article counts as one space; offsets are in the text.
    assert citation.article.text[citation.char_start : citation.char_end].split() == (
        QUOTE.split()
    )
    assert Actor.objects.get(slug="mongolia").iso_code == "MN"
    assert TradeFigure.objects.get().currency == "USD"
    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.signed_on_latest) == (
        date(2025, 4, 1),
        date(2025, 4, 30),
    )
    assert set(agreement.parties.values_list("actor__slug", flat=True)) == {
        "mongolia",
        "kazakhstan",
    }
    assert Authorship.objects.get().article.slug == "mongolia-pivot"
    assert Mention.objects.get().actor.slug == "kazakhstan"
    assert all(len(record.import_digest) == 64 for record in TradeFigure.objects.all())


def test_history_rows_name_the_import_run(bundle_path):
    report = fixtures_import(paths=[bundle_path])

    run = ImportRun.objects.get(pk=report.run_id)
    history = TradeFigure.history.get()
    assert history.history_type == "+"
    assert history.history_change_reason == run.change_reason
    assert "bundle.json" in run.change_reason
    assert run.counts["actors.tradefigure"]["created"] == 1
    assert Citation.history.filter(history_change_reason=run.change_reason).count() == 2


def _errors_of(paths):
    with pytest.raises(BundleInvalid) as raised:
        fixtures_import(paths=paths)
    return raised.value.report.errors


def _broken(records, model, match, **changes):
    record = find(records, model, **match)
    for name, value in changes.items():
        if value is None and name.startswith("-"):
            del record["fields"][name[1:]]
        else:
            record["fields"][name] = value
    return record


@pytest.mark.parametrize(
    ("model", "match", "changes", "field", "message"),
    [
        (
            "actors.tradefigure",
            {"pk": FIGURE_ID},
            {"reporter": ["atlantis"]},
            "reporter",
            "neither in this bundle nor in the database",
        ),
        (
            "actors.tradefigure",
            {"pk": FIGURE_ID},
            {"value": "-5"},
            "value",
            "A trade value cannot be negative.",
        ),
        (
            "actors.tradefigure",
            {"pk": FIGURE_ID},
            {"year": 1492},
            "year",
            "The year must lie between 1900 and 2100.",
        ),
        ("actors.tradefigure", {"pk": FIGURE_ID}, {"flow": "smuggled"}, "flow", "not a valid"),
        (
            "actors.citation",
            {"trade_figure": FIGURE_ID},
            {"quote": "Trade with Narnia doubled."},
            "quote",
            "does not occur in the article's text",
        ),
        (
            "actors.actor",
            {"slug": "kazakhstan"},
            {"iso_code": None},
            "iso_code",
            "A country",
        ),
        ("articles.article", {"slug": "mongolia-pivot"}, {"section": ""}, "section", "blank"),
        ("actors.actor", {"slug": "kazakhstan"}, {"colour": "blue"}, "colour", "no field"),
    ],
)
def test_a_bad_record_is_named_and_nothing_is_written(
    tmp_path, model, match, changes, field, message
):
    records = small_bundle()
    record = _broken(records, model, match, **changes)
    index = records.index(record)
    path = write(tmp_path / "bad.json", records)
    before = snapshot()

    errors = _errors_of([path])

    assert len(errors) == 1, errors
    error = errors[0]
    assert (error.file, error.index, error.model, error.field) == (str(path), index, model, field)
    key = record.get("pk") or match.get("slug")
    assert key in error.key
    assert message in error.message
    assert f"[index {index}]" in str(error)
    assert snapshot() == before


def test_malformed_json_names_the_file_and_the_record(tmp_path):
    text = json.dumps(small_bundle(), indent=1)
    path = tmp_path / "truncated.json"
    path.write_text(text[: text.index('"actors.agreement"')], encoding="utf-8")
    before = snapshot()

    errors = _errors_of([path])

    assert [e.file for e in errors] == [str(path)]
    assert "Malformed JSON" in errors[0].message
    assert errors[0].index == [r["model"] for r in small_bundle()].index("actors.agreement")
    assert snapshot() == before


def test_a_duplicate_natural_key_is_an_error(tmp_path):
    records = small_bundle()
    records.insert(4, copy_of(find(records, "actors.actor", slug="mongolia")))
    path = write(tmp_path / "dup.json", records)

    errors = _errors_of([path])

    duplicates = [e for e in errors if e.field == "slug"]
    assert [(e.index, e.key) for e in duplicates] == [(3, "mongolia"), (4, "mongolia")]
    assert all("Duplicate natural key" in e.message for e in duplicates)
    assert Actor.objects.count() == 0


def copy_of(record):
    return json.loads(json.dumps(record))


def test_every_error_of_the_bundle_is_reported(tmp_path):
    records = small_bundle()
    _broken(records, "actors.tradefigure", {"pk": FIGURE_ID}, year=3000, value="lots")
    _broken(records, "actors.citation", {"agreement": AGREEMENT_ID}, quote="Never said.")
    records.append({"model": "auth.user", "fields": {"username": "mallory"}})
    second = write(tmp_path / "second.json", [{"model": "actors.actor", "fields": {}}])
    first = write(tmp_path / "first.json", records)

    errors = _errors_of([first, second])

    found = {(e.file.rsplit("/", 1)[-1], e.model, e.field) for e in errors}
    assert {
        ("first.json", "actors.tradefigure", "year"),
        ("first.json", "actors.tradefigure", "value"),
        ("first.json", "actors.citation", "quote"),
        ("first.json", "auth.user", "model"),
        ("second.json", "actors.actor", "name"),
        ("second.json", "actors.actor", "slug"),
        ("second.json", "actors.actor", "kind"),
    } <= found
    assert Actor.objects.count() == 0


def test_facts_need_two_parties_and_a_citation(tmp_path):
    records = small_bundle()
    records.remove(find(records, "actors.agreementparty", actor=["kazakhstan"]))
    records.remove(find(records, "actors.citation", trade_figure=FIGURE_ID))
    path = write(tmp_path / "bundle.json", records)

    errors = _errors_of([path])

    assert {(e.model, e.key, e.field) for e in errors} == {
        ("actors.agreement", AGREEMENT_ID, "parties"),
        ("actors.tradefigure", FIGURE_ID, "citations"),
    }
    assert Agreement.objects.count() == 0


def test_references_may_point_at_records_already_in_the_database(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    figure = {
        "model": "actors.tradefigure",
        "pk": "55555555-5555-4555-8555-555555555555",
        "fields": {
            "reporter": ["kazakhstan"],
            "partner": ["mongolia"],
            "flow": "export",
            "year": 2024,
            "value": "12.5",
        },
    }
    citation = {
        "model": "actors.citation",
        "pk": "66666666-6666-4666-8666-666666666666",
        "fields": {"article": ["mongolia-pivot"], "trade_figure": figure["pk"], "quote": QUOTE},
    }

    report = fixtures_import(paths=[write(tmp_path / "more.json", [figure, citation])])

    assert report.model("actors.tradefigure").created == 1
    assert TradeFigure.objects.get(pk=figure["pk"]).value == Decimal("12.50")


def test_reimporting_changes_only_what_changed(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    stamps = dict(Actor.objects.values_list("slug", "updated_at"))
    figure_history = TradeFigure.history.count()
    records = small_bundle()
    find(records, "actors.tradefigure", pk=FIGURE_ID)["fields"]["year"] = 2024
    find(records, "actors.actor", slug="kazakhstan")["fields"]["description"] = "A country."

    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    assert report.model("actors.tradefigure").as_dict() == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "deleted": 0,
        "conflicts": 0,
    }
    assert report.model("actors.actor").updated == 1
    assert report.model("actors.actor").unchanged == 1
    assert report.model("articles.article").unchanged == 1
    assert {(c.model, c.key, c.fields) for c in report.updates} == {
        ("actors.tradefigure", FIGURE_ID, ("year",)),
        ("actors.actor", "kazakhstan", ("description",)),
    }
    after = dict(Actor.objects.values_list("slug", "updated_at"))
    assert after["mongolia"] == stamps["mongolia"]
    assert after["kazakhstan"] > stamps["kazakhstan"]
    assert TradeFigure.objects.get().year == 2024
    assert TradeFigure.history.count() == figure_history + 1
    assert TradeFigure.history.latest().history_type == "~"


def test_a_published_record_of_a_bundle_names_the_import_run_as_its_verification(
    tmp_path, bundle_path, editor
):
    first = fixtures_import(paths=[bundle_path])
    article = Article.objects.get()
    assert article.review_status == "published"
    assert article.verified_via == ImportRun.objects.get(pk=first.run_id).change_reason
    assert article.verified_by is None
    assert article.verified_at is not None
    # The bundle says the figure needs review: it names no verification.
    assert TradeFigure.objects.filter(verified_via="", verified_at__isnull=True).count() == 1

    # An editor had verified the agreement; the bundle's new version of it replaces the
    # version they checked, so the new run vouches for it, not them.
    agreement = Agreement.objects.get()
    records_publish(records=[agreement], user=editor)
    records = small_bundle()
    find(records, "actors.agreement", pk=AGREEMENT_ID)["fields"].update(
        review_status="published", summary="A new summary."
    )
    second = fixtures_import(paths=[write(tmp_path / "v2.json", records)], overwrite=True)

    agreement.refresh_from_db()
    assert agreement.verified_by is None
    assert agreement.verified_via == ImportRun.objects.get(pk=second.run_id).change_reason


def test_a_second_import_of_the_same_bundle_writes_nothing(bundle_path):
    fixtures_import(paths=[bundle_path])
    before = snapshot()

    report = fixtures_import(paths=[bundle_path])

    assert report.wrote_nothing
    assert report.total("unchanged") == len(small_bundle())
    assert {k: v for k, v in snapshot().items() if k != "import runs"} == {
        k: v for k, v in before.items() if k != "import runs"
    }


def test_child_sets_follow_the_bundle(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    records = small_bundle()
    records.remove(find(records, "actors.actoralias", name="Mongol Uls"))

    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    assert report.model("actors.actoralias").deleted == 1
    assert list(ActorAlias.objects.values_list("name", flat=True)) == ["Ulaanbaatar"]
    assert ActorAlias.history.filter(history_type="-", name="Mongol Uls").exists()


def test_a_bundle_without_a_child_model_leaves_those_children_alone(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    actors_only = [r for r in small_bundle() if r["model"] == "actors.actor"]

    fixtures_import(paths=[write(tmp_path / "actors.json", actors_only)])

    assert ActorAlias.objects.count() == 2


def test_byline_order_can_be_swapped(tmp_path, bundle_path):
    records = small_bundle()
    records.insert(1, {"model": "articles.author", "fields": {"name": "Bo", "slug": "bo"}})
    records.append(
        {
            "model": "articles.authorship",
            "fields": {"article": ["mongolia-pivot"], "author": ["bo"], "position": 2},
        }
    )
    fixtures_import(paths=[write(tmp_path / "v1.json", records)])
    for record in records:
        if record["model"] == "articles.authorship":
            record["fields"]["position"] = 3 - record["fields"]["position"]

    fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    byline = Article.objects.get().authorships.order_by("position")
    assert [a.author.slug for a in byline] == ["bo", "ann"]


def byline_bundle(slugs: list[str]) -> list[dict]:
    """The small bundle with its article written by ``slugs``, in that order."""
    records = [r for r in small_bundle() if r["model"] != "articles.authorship"]
    for position, slug in enumerate(slugs, start=1):
        if slug != "ann":  # the small bundle's own author
            author = {"model": "articles.author", "fields": {"name": slug, "slug": slug}}
            records.insert(1, author)
        records.append(
            {
                "model": "articles.authorship",
                "fields": {"article": ["mongolia-pivot"], "author": [slug], "position": position},
            }
        )
    return records


def test_a_new_first_author_moves_the_byline_down(tmp_path):
    fixtures_import(paths=[write(tmp_path / "v1.json", byline_bundle(["ann", "bo"]))])

    report = fixtures_import(
        paths=[write(tmp_path / "v2.json", byline_bundle(["cy", "ann", "dee"]))]
    )

    byline = Article.objects.get().authorships.order_by("position")
    assert [(a.author.slug, a.position) for a in byline] == [("cy", 1), ("ann", 2), ("dee", 3)]
    counts = report.model("articles.authorship")
    assert (counts.created, counts.updated, counts.deleted) == (2, 1, 1)


def test_a_byline_position_held_by_an_editors_change_is_a_checked_error(tmp_path):
    fixtures_import(paths=[write(tmp_path / "v1.json", byline_bundle(["ann", "bo"]))])
    # An editor puts Bo third; a bundle that keeps Bo second and adds Cy third meets Bo's
    # kept edit at position 3.
    Authorship.objects.filter(author__slug="bo").update(position=3)
    before = snapshot()

    with pytest.raises(BundleInvalid) as raised:
        fixtures_import(paths=[write(tmp_path / "v2.json", byline_bundle(["ann", "bo", "cy"]))])

    errors = raised.value.report.errors
    assert [(e.model, e.field) for e in errors] == [("articles.authorship", "article, position")]
    assert "already has this article, position" in errors[0].message
    assert snapshot() == before

    fixtures_import(
        paths=[write(tmp_path / "v2.json", byline_bundle(["ann", "bo", "cy"]))], overwrite=True
    )
    byline = Article.objects.get().authorships.order_by("position")
    assert [a.author.slug for a in byline] == ["ann", "bo", "cy"]


def test_an_editors_fix_survives_a_reimport_as_a_conflict(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    trade_figure_update(trade_figure=TradeFigure.objects.get(), data={"year": 2023})
    records = small_bundle()
    find(records, "actors.tradefigure", pk=FIGURE_ID)["fields"]["value"] = "160000000"
    changed = write(tmp_path / "v2.json", records)

    again = fixtures_import(paths=[bundle_path])
    report = fixtures_import(paths=[changed])

    assert again.model("actors.tradefigure").conflicts == 1
    assert report.model("actors.tradefigure").conflicts == 1
    assert [(c.key, c.fields) for c in report.conflicts] == [(FIGURE_ID, ("year", "value"))]
    figure = TradeFigure.objects.get()
    assert (figure.year, figure.value) == (2023, Decimal("150000000.00"))
    assert any("editor's version kept" in line for line in report.lines())


def test_overwrite_replaces_an_editors_version(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    trade_figure_update(trade_figure=TradeFigure.objects.get(), data={"year": 2023})

    report = fixtures_import(paths=[bundle_path], overwrite=True)

    assert report.model("actors.tradefigure").conflicts == 1
    assert TradeFigure.objects.get().year is None
    # Imported again, the record now matches its digest: no conflict any more.
    assert fixtures_import(paths=[bundle_path]).model("actors.tradefigure").conflicts == 0


def test_an_alias_an_editor_added_is_not_deleted_silently(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    ActorAlias.objects.create(actor=Actor.objects.get(slug="mongolia"), name="Outer Mongolia")

    report = fixtures_import(paths=[bundle_path])

    assert report.model("actors.actoralias").conflicts == 1
    assert ActorAlias.objects.filter(name="Outer Mongolia").exists()
    fixtures_import(paths=[bundle_path], overwrite=True)
    assert not ActorAlias.objects.filter(name="Outer Mongolia").exists()


def test_dry_run_reports_and_writes_nothing(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    records = small_bundle()
    find(records, "actors.tradefigure", pk=FIGURE_ID)["fields"]["note"] = "Per annum."
    records.append(
        {"model": "actors.actoralias", "fields": {"actor": ["kazakhstan"], "name": "Qazaqstan"}}
    )
    before = snapshot()

    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)], dry_run=True)

    assert report.model("actors.tradefigure").updated == 1
    assert report.model("actors.actoralias").created == 1
    assert [c.fields for c in report.updates] == [("note",)]
    after = snapshot()
    assert after.pop("import runs") == before.pop("import runs") + 1
    assert after == before
    assert ImportRun.objects.latest("started_at").dry_run


def test_import_queries_do_not_grow_with_the_bundle(tmp_path, django_assert_max_num_queries):
    from bundles.synthetic import Sizes, write_bundle

    def bundle(scale, name):
        path = tmp_path / name
        with path.open("w") as out:
            write_bundle(
                Sizes(articles=3 * scale, actors=6, agreements=scale, trade_figures=8 * scale),
                seed=1,
                out=out,
            )
        return path

    small, large = bundle(2, "small.json"), bundle(20, "large.json")
    # Both measured imports start alike: the small bundle's articles and actors in the
    # database (some of them known unchanged), none of its facts.
    fixtures_import(paths=[small])
    TradeFigure.objects.all().delete()
    Agreement.objects.all().delete()
    with CaptureQueriesContext(connection) as small_queries:
        fixtures_import(paths=[small])
    TradeFigure.objects.all().delete()
    Agreement.objects.all().delete()

    # The large bundle also changes some of the small one's articles, authors and mentions,
    # and a model that changes costs a few statements more (staging its changed records,
    # deleting the rows it no longer lists, the tombstones of what it unpublishes): a
    # handful whatever the bundle's size.
    with django_assert_max_num_queries(len(small_queries) + 7):
        report = fixtures_import(paths=[large])
    assert report.model("actors.tradefigure").created == 160


def test_command_prints_the_report_and_fails_on_errors(tmp_path, bundle_path, capsys):
    call_command("import_fixtures", str(bundle_path), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out
    assert "actors.tradefigure" in out
    assert Actor.objects.count() == 0

    records = small_bundle()
    find(records, "actors.tradefigure", pk=FIGURE_ID)["fields"]["year"] = 1492
    bad = write(tmp_path / "bad.json", records)
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_fixtures", str(bad))
    err = capsys.readouterr().err
    assert f"{bad} [index 12] actors.tradefigure {FIGURE_ID} year:" in err
    # Not a terminal: no progress bar.
    call_command("import_fixtures", str(bundle_path))
    assert "%|" not in capsys.readouterr().err


def test_agreement_party_roles_are_updated_in_place(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    records = small_bundle()
    find(records, "actors.agreementparty", actor=["kazakhstan"])["fields"]["role"] = "host"

    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    assert report.model("actors.agreementparty").updated == 1
    assert AgreementParty.objects.get(actor__slug="kazakhstan").role == "host"


def test_a_unique_value_held_by_another_record_in_the_database(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    twin = {
        "model": "actors.actor",
        "fields": {
            "name": "Kazakh SSR",
            "slug": "kazakh-ssr",
            "kind": "country",
            "iso_code": "KZ",
        },
    }

    errors = _errors_of([write(tmp_path / "twin.json", [twin])])

    assert [(e.key, e.field) for e in errors] == [("kazakh-ssr", "iso_code")]
    assert errors[0].message == "Another country has this ISO 3166-1 code."
    assert not Actor.objects.filter(slug="kazakh-ssr").exists()


def test_records_split_across_read_chunks_parse_whole(tmp_path, monkeypatch):
    from bundles import reading

    text = json.dumps(small_bundle(), indent=1, ensure_ascii=False)
    expected = json.loads(text, parse_float=Decimal)
    for chunk in (1, 7, 64, 1 << 22):
        monkeypatch.setattr(reading, "CHUNK", chunk)
        with (tmp_path / "bundle.json").open("w", encoding="utf-8") as out:
            out.write(text)
        with (tmp_path / "bundle.json").open("rb") as handle:
            parsed = list(reading.iter_records(handle))

        assert [record for _, record, _ in parsed] == expected
        # Each record's text is exactly its span of the file: what its fingerprint covers.
        assert all(json.loads(span, parse_float=Decimal) == record for _, record, span in parsed)
        position = 0  # the spans follow one another through the file
        for _, _, span in parsed:
            position = text.index(span, position) + len(span)


@pytest.mark.parametrize(
    ("text", "index", "message"),
    [
        ('{"model": "actors.actor"}', 0, "A bundle is a JSON array"),
        ('[{"model": "a"},]', 1, "a comma before the array's end"),
        ('[{"model": "a"} {"model": "b"}]', 1, "expected a comma"),
        ('[{"model": "a"}] [', 1, "text after the array's end"),
        ('[{"model": "a", "fields": {"value": NaN}}]', 0, "NaN is not a JSON number"),
        ('[{"model": "a"}, {"model": "b", "fields": {"name": "unterminated}}]', 1, "Unterminated"),
    ],
)
def test_malformed_bundles_are_named_by_the_record_where_they_break(
    tmp_path, text, index, message
):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")

    # The records before the break are read too ("a" is no model): only one break is named.
    breaks = [e for e in _errors_of([path]) if e.field == ""]

    assert [e.index for e in breaks] == [index]
    assert message in breaks[0].message


def test_a_bundle_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"model": "actors.actor", "fields": {"name": "Bośnia"}}]'.encode("cp1250"))

    errors = _errors_of([path])

    assert "not UTF-8" in errors[0].message


def test_an_unchanged_record_is_known_by_its_text_and_not_read_again(
    tmp_path, bundle_path, monkeypatch
):
    from bundles.reading import RecordReader

    fixtures_import(paths=[bundle_path])
    assert all(
        len(f) == 32 for f in TradeFigure.objects.values_list("import_fingerprint", flat=True)
    )
    records = small_bundle()
    find(records, "actors.tradefigure", pk=FIGURE_ID)["fields"]["year"] = 2024
    read = []
    original = RecordReader.read

    def counting(self, *args, **kwargs):
        read.append(self.spec.label)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RecordReader, "read", counting)
    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    assert read == ["actors.tradefigure"]  # the one record whose text changed
    assert report.total("unchanged") == len(records) - 1
    assert report.model("actors.tradefigure").updated == 1

    read.clear()
    fixtures_import(paths=[write(tmp_path / "v2.json", records)], check_all=True)
    assert len(read) == len(records)
    assert ImportRun.objects.latest("started_at").check_all


def test_check_all_applies_rules_that_changed_since_the_last_import(
    tmp_path, bundle_path, monkeypatch
):
    from django.core.exceptions import ValidationError

    fixtures_import(paths=[bundle_path])

    def no_approximations(value):
        if value == "approximately":
            raise ValidationError("Approximations are no longer accepted.")

    field = TradeFigure._meta.get_field("qualifier")
    monkeypatch.setattr(field, "validators", [*field.validators, no_approximations])

    assert fixtures_import(paths=[bundle_path]).wrote_nothing  # the row stands as it was
    assert not ImportRun.objects.latest("started_at").check_all
    with pytest.raises(CommandError):
        call_command("import_fixtures", str(bundle_path), "--check-all", stderr=io.StringIO())
    with pytest.raises(BundleInvalid) as raised:
        fixtures_import(paths=[bundle_path], check_all=True, dry_run=True)
    assert [(e.key, e.field) for e in raised.value.report.errors] == [(FIGURE_ID, "qualifier")]


def test_a_record_edited_since_its_import_is_not_known(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    Actor.objects.filter(slug="kazakhstan").update(name="Qazaqstan")  # bypassing the services

    report = fixtures_import(paths=[bundle_path])

    assert report.model("actors.actor").conflicts == 1
    assert Actor.objects.get(slug="kazakhstan").name == "Qazaqstan"


def test_the_quotes_of_an_article_the_bundle_rewrites_are_found_again(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    citation = Citation.objects.get(trade_figure__isnull=False)
    records = small_bundle()
    article = find(records, "articles.article", slug="mongolia-pivot")["fields"]
    article["body"] = "A new first paragraph.\n\n" + article["body"]

    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    assert report.model("articles.article").updated == 1
    assert report.model("actors.citation").updated == 2  # their offsets moved
    moved = Citation.objects.get(pk=citation.pk)
    assert moved.char_start == citation.char_start + len("A new first paragraph.\n\n")
    assert find_quote(Article.objects.get().text, QUOTE) == (moved.char_start, moved.char_end)

    article["body"] = "Nothing of what was quoted."
    errors = _errors_of([write(tmp_path / "v3.json", records)])
    assert {(e.model, e.field) for e in errors} == {("actors.citation", "quote")}


def test_the_same_record_twice_is_a_duplicate_also_when_known(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    records = small_bundle()
    records.append(copy_of(find(records, "actors.actor", slug="mongolia")))

    errors = _errors_of([write(tmp_path / "twice.json", records)])

    assert [(e.key, e.field) for e in errors] == [("mongolia", "slug"), ("mongolia", "slug")]


def test_a_changed_record_may_not_take_a_unique_value_of_a_known_one(tmp_path, bundle_path):
    fixtures_import(paths=[bundle_path])
    records = small_bundle()
    find(records, "actors.actor", slug="kazakhstan")["fields"]["iso_code"] = "MN"

    errors = _errors_of([write(tmp_path / "clash.json", records)])

    assert ("kazakhstan", "iso_code") in [(e.key, e.field) for e in errors]
    assert Actor.objects.get(slug="kazakhstan").iso_code == "KZ"


def test_an_import_leaves_the_garbage_collector_as_it_found_it(bundle_path, tmp_path):
    # The collector is paused while records are read; it must come back on, error or not.
    fixtures_import(paths=[bundle_path])
    assert gc.isenabled()
    bad = write(tmp_path / "bad.json", [{"model": "actors.nothing", "fields": {}}])
    with pytest.raises(BundleInvalid):
        fixtures_import(paths=[bad])
    assert gc.isenabled()


def test_a_later_file_may_hold_records_of_a_model_processed_already(tmp_path):
    # Files are processed model by model as they are read; an author in the second file,
    # after the articles of the first were processed, makes the import start again.
    records = small_bundle()
    author = find(records, "articles.author", slug="ann")
    records.remove(author)
    first = write(tmp_path / "first.json", records)
    second = write(tmp_path / "second.json", [author])

    report = fixtures_import(paths=[first, second])

    assert report.total("created") == len(records) + 1
    assert [a.author.slug for a in Authorship.objects.all()] == ["ann"]


def test_a_record_naming_a_parent_renamed_since_is_read_again(tmp_path, bundle_path):
    # The byline's text names its article by slug; the article was renamed in the admin,
    # so the text no longer names the row the byline points at.
    fixtures_import(paths=[bundle_path])
    Article.objects.filter(slug="mongolia-pivot").update(slug="mongolia-turns-west")

    report = fixtures_import(paths=[bundle_path])

    assert report.model("articles.article").created == 1
    assert report.model("articles.authorship").created == 1
    assert set(Authorship.objects.values_list("article__slug", flat=True)) == {
        "mongolia-pivot",
        "mongolia-turns-west",
    }
    again = fixtures_import(paths=[bundle_path])  # both bylines exist, one is the bundle's
    assert again.wrote_nothing
    assert again.total("unchanged") == len(small_bundle())


def test_citations_of_an_article_changed_by_an_earlier_import_are_read_again(tmp_path):
    records = small_bundle()
    fixtures_import(paths=[write(tmp_path / "v1.json", records)])
    article = find(records, "articles.article", slug="mongolia-pivot")
    article["fields"]["body"] = "A new first paragraph.\n\n" + article["fields"]["body"]
    fixtures_import(paths=[write(tmp_path / "article.json", [article])])

    report = fixtures_import(paths=[write(tmp_path / "v2.json", records)])

    assert report.model("actors.citation").updated == 2
    text = Article.objects.get().text
    for citation in Citation.objects.all():
        assert find_quote(text, citation.quote) == (citation.char_start, citation.char_end)

    article["fields"]["body"] = "Nothing of what was quoted."
    fixtures_import(paths=[write(tmp_path / "article.json", [article])])
    errors = _errors_of([write(tmp_path / "v2.json", records)])
    assert {(e.model, e.field) for e in errors} == {("actors.citation", "quote")}


def test_a_bare_value_cut_by_a_chunk_is_read_whole(tmp_path, monkeypatch):
    from bundles import reading

    monkeypatch.setattr(reading, "CHUNK", 5)
    path = tmp_path / "numbers.json"
    path.write_text("[726.0668, 12]", encoding="utf-8")

    with path.open("rb") as handle:
        parsed = [(record, text) for _, record, text in reading.iter_records(handle)]

    assert parsed == [(Decimal("726.0668"), "726.0668"), (12, "12")]


def test_a_bundle_cut_short_names_the_cut_first_and_nothing_that_follows_from_it(tmp_path):
    # The corpus with its agreements file cut in the middle: the agreements, parties and
    # citations past the cut are missing, which the checks across records would each report
    # (an agreement without its parties, a fact without a citation…) before the cause.
    files = sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
    cut = tmp_path / files[2].name
    text = files[2].read_text(encoding="utf-8")
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    paths = [*files[:2], cut, *files[3:]]
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        call_command("import_fixtures", *paths, stderr=io.StringIO())

    assert "The first: " + str(cut) in str(raised.value)
    assert "cut short" in str(raised.value)
    errors = _errors_of(paths)
    assert [(e.file, e.field) for e in errors] == [(str(cut), "")]
    assert errors[0].message.startswith("Malformed JSON: the file ends inside this record")
    assert snapshot() == before
