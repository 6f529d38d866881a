"""The questions of docs/api-examples.md, each answered by the one request given there."""

import re
from pathlib import Path

import pytest

from caci.tests.helpers import csv_rows, results

pytestmark = pytest.mark.django_db

EXAMPLES = (Path(__file__).resolve().parents[2] / "docs" / "api-examples.md").read_text()
REQUESTS = re.findall(r"^GET (\S+)$", EXAMPLES, flags=re.MULTILINE)


def request_for(question: str, csv: bool = False) -> str:
    """The documented request under the heading of ``question`` (its CSV form if asked)."""
    section = EXAMPLES.split(f"### {question}\n", 1)[1].split("\n#", 1)[0]
    found = re.findall(r"^GET (\S+)$", section, flags=re.MULTILINE)
    [url] = [url for url in found if url.endswith("format=csv") == csv]
    return url


def test_mongolias_trade_with_kazakhstan_since_2017(api, dataset):
    f = dataset.figures
    url = request_for("Mongolia's trade with Kazakhstan since 2017")

    found = {record["id"] for record in results(api.get(url))}
    rows = csv_rows(api.get(request_for("Mongolia's trade with Kazakhstan since 2017", csv=True)))

    expected = {str(x.pk) for x in (f.horse_meat_2017, f.horse_meat_2022)} | {
        str(x.pk) for x in (f.kz_exports_2017, f.kz_exports_2022)
    }
    assert found == expected
    assert {row["id"] for row in rows} == expected
    assert {(row["reporter_slug"], row["partner_slug"]) for row in rows} == {
        ("mongolia", "kazakhstan"),
        ("kazakhstan", "mongolia"),
    }


def test_agreements_azerbaijan_signed_in_2024_2025_with_sources(api, dataset):
    question = "Every agreement that Azerbaijan signed in 2024–2025, with its sources"
    a = dataset.agreements

    records = results(api.get(request_for(question)))
    rows = csv_rows(api.get(request_for(question, csv=True)))

    assert [record["title"] for record in records] == [a.csp.title, a.sco_declaration.title]
    assert [record["signed"] for record in records] == ["2025-04", "2024-07"]
    assert all(record["citations"][0]["quote"] for record in records)
    assert records[1]["citations"][0]["article"]["slug"] == "has-the-west-lost-azerbaijan"
    assert [row["title"] for row in rows] == [a.csp.title, a.sco_declaration.title]
    assert all(row["citation_quotes"] for row in rows)


def test_articles_by_emil_avdaliani_that_mention_russia(api, dataset):
    question = "Articles by Emil Avdaliani that mention Russia"

    records = results(api.get(request_for(question)))
    rows = csv_rows(api.get(request_for(question, csv=True)))

    assert [record["slug"] for record in records] == [dataset.articles.avdaliani.slug]
    assert [row["slug"] for row in rows] == [dataset.articles.avdaliani.slug]
    assert "russia" in rows[0]["mention_slugs"].split(" | ")


@pytest.mark.parametrize("url", REQUESTS)
def test_every_documented_request_is_answered(api, dataset, url):
    assert api.get(url).status_code == 200
