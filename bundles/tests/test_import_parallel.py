"""Large files are read by several processes (on PostgreSQL): the same import, sooner."""

import json

import pytest
from django.db import connection

from bundles import importing, parallel
from bundles.importing import fixtures_import
from bundles.report import BundleInvalid
from bundles.synthetic import Sizes
from bundles.tests.bundles import as_set, empty_the_dataset, exported, synthetic

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="files are read in parallel on PostgreSQL"
    ),
]
SIZES = Sizes(articles=30, actors=10, agreements=12, trade_figures=120)


def imported(path, workers):
    """What importing the file gives: the report's counts and the dataset, exported."""
    report = fixtures_import(paths=[path], workers=workers)
    data = as_set(exported())
    empty_the_dataset()
    return report.counts(), data


def errors_of(path, workers):
    with pytest.raises(BundleInvalid) as raised:
        fixtures_import(paths=[path], workers=workers)
    return [str(error) for error in raised.value.report.errors]


def test_parts_read_in_parallel_import_what_one_process_imports(tmp_path):
    path = synthetic(tmp_path / "bundle.json", SIZES)
    assert len(parallel.split_file(str(path), path.stat().st_size, 8)) == 8

    assert imported(path, workers=2) == imported(path, workers=1)


def test_errors_found_in_parallel_name_the_records_index_in_the_file(tmp_path):
    records = json.loads(synthetic(tmp_path / "bundle.json", SIZES).read_text())
    for index in (3, len(records) // 2, len(records) - 5):
        records[index]["fields"]["nonsense"] = index
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")

    in_parallel = errors_of(path, workers=2)

    assert in_parallel == errors_of(path, workers=1)
    wrong = (3, len(records) // 2, len(records) - 5)
    assert [f"[index {i}]" in error for i, error in zip(wrong, in_parallel, strict=True)] == [
        True,
        True,
        True,
    ]


def test_a_cut_inside_a_record_falls_back_to_one_process(tmp_path, monkeypatch):
    path = synthetic(tmp_path / "bundle.json", SIZES)
    size = path.stat().st_size
    text = path.read_bytes()
    inside = text.index(b'"fields"', size // 2)  # within a record, not at its start
    monkeypatch.setattr(parallel, "split_file", lambda *args: [(0, inside), (inside, size)])
    read_alone = []
    original = fixtures_import.__globals__["_Import"].stage_record

    def staged(self, part, *args):
        read_alone.append(part)
        return original(self, part, *args)

    monkeypatch.setattr(fixtures_import.__globals__["_Import"], "stage_record", staged)

    report = fixtures_import(paths=[path], workers=2)

    assert report.total("created") == text.count(b'"model"')
    assert set(read_alone) == {2}  # parts 0 and 1 were given up; part 2 is the whole file


def test_a_malformed_file_is_reported_as_one_process_reports_it(tmp_path):
    text = synthetic(tmp_path / "bundle.json", SIZES).read_text()
    cut = text[: len(text) * 3 // 4]
    path = tmp_path / "cut.json"
    path.write_text(cut, encoding="utf-8")

    errors = errors_of(path, workers=2)

    assert errors == errors_of(path, workers=1)
    # Besides the facts whose citations were cut off.
    assert [e for e in errors if "Malformed JSON" in e] != []


def test_a_bundle_not_written_parents_first_is_imported_all_the_same(tmp_path, monkeypatch):
    # Models are processed while later parts are still read, as soon as a part holds only
    # later models; an author at the very end is found late, and the import starts again.
    records = json.loads(synthetic(tmp_path / "bundle.json", SIZES).read_text())
    author = next(r for r in records if r["model"] == "articles.author")
    records.remove(author)
    records.append(author)
    path = tmp_path / "late.json"
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    restarts = []
    start_again = importing._Import.start_again
    monkeypatch.setattr(
        importing._Import, "start_again", lambda self: restarts.append(1) or start_again(self)
    )

    assert imported(path, workers=2) == imported(path, workers=1)
    assert restarts == [1]
