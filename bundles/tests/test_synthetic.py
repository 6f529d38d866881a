"""Synthetic bundles live in a namespace of their own: imported into the real dataset, they
add to it and change no real record."""

import io
import json

import pytest
from django.core.management import call_command

from actors.models import Actor
from bundles.exporting import fixtures_export
from bundles.importing import fixtures_import
from bundles.synthetic import USER_ASSIGNED_CODES, Sizes, write_bundle

pytestmark = pytest.mark.django_db

# Enough actors for every country of the generator, and every organization more than once.
EVERY_ACTOR = Sizes(articles=12, actors=60, agreements=8, trade_figures=40)


def synthetic_bundle(path, sizes=EVERY_ACTOR, seed=1):
    with path.open("w", encoding="utf-8") as out:
        write_bundle(sizes, seed, out)
    return path


def exported_records() -> set[str]:
    out = io.StringIO()
    fixtures_export(out=out)
    return {json.dumps(record, sort_keys=True) for record in json.loads(out.getvalue())}


def test_a_synthetic_bundle_leaves_the_seeded_dataset_as_it_was(tmp_path):
    call_command("seed", stdout=io.StringIO())
    china = Actor.objects.get(slug="china")
    real = exported_records()

    report = fixtures_import(paths=[synthetic_bundle(tmp_path / "synthetic.json")])

    assert report.total("created") > 0
    assert report.total("updated") == report.total("deleted") == report.total("conflicts") == 0
    again = Actor.objects.get(slug="china")
    assert again.description == china.description != ""
    assert again.iso_code == "CN"
    assert real <= exported_records()


def test_synthetic_records_take_slugs_and_country_codes_no_real_record_has(tmp_path):
    records = json.loads(synthetic_bundle(tmp_path / "synthetic.json").read_text())

    slugs = [r["fields"]["slug"] for r in records if "slug" in r["fields"]]
    codes = [r["fields"]["iso_code"] for r in records if r["fields"].get("iso_code")]
    assert len(codes) == 40
    assert all(slug.startswith("synthetic-") for slug in slugs)
    assert set(codes) <= set(USER_ASSIGNED_CODES)
    assert len(set(codes)) == len(codes)
