import pytest

from caci.tests.helpers import csv_rows, ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"


def agreement_ids(dataset, *names):
    return {str(getattr(dataset.agreements, name).pk) for name in names}


def test_an_agreement_keeps_the_precision_of_its_date_and_carries_its_parties_and_sources(
    api, dataset
):
    csp = dataset.agreements.csp

    body = api.get(f"{URL}{csp.pk}/").json()

    assert body["signed"] == "2025-04"
    assert body["signed_precision"] == "month"
    assert (body["signed_earliest"], body["signed_latest"]) == ("2025-04-01", "2025-04-30")
    assert body["parties"] == [
        {
            "actor": {
                "slug": "azerbaijan",
                "name": "Azerbaijan",
                "kind": "country",
                "iso_code": "AZ",
            },
            "role": "signatory",
        },
        {
            "actor": {"slug": "china", "name": "China", "kind": "country", "iso_code": "CN"},
            "role": "signatory",
        },
    ]
    [citation] = body["citations"]
    assert citation["article"] == {
        "slug": "has-the-west-lost-azerbaijan",
        "title": 'Has the West "Lost" Azerbaijan?',
        "published": "2025-06-05",
    }
    assert citation["quote"].startswith("Azerbaijani President Ilham Aliyev’s April 2025")
    assert (citation["char_start"], citation["char_end"]) == (0, len(citation["quote"]))


@pytest.mark.parametrize(
    ("query", "expected", "excluded"),
    [
        ("party=azerbaijan", ["csp", "shusha"], ["russia_iran"]),
        ("party=AZ&party=turkey", ["shusha"], ["csp", "sco_declaration"]),
        ("party=azerbaijan&party=iran", [], ["csp", "shusha", "russia_iran"]),
        ("kind=treaty", ["russia_iran"], ["csp"]),
        ("status=signed", ["csp", "russia_iran"], []),
        ("status=proposed", [], ["csp", "russia_iran"]),
        ("signed_after=2025-01-01", ["csp", "russia_iran"], ["sco_declaration", "shusha"]),
        ("signed_before=2024-12-31", ["sco_declaration", "shusha"], ["csp", "russia_iran"]),
        (
            "signed_after=2024-01-01&signed_before=2025-12-31",
            ["csp", "sco_declaration", "russia_iran"],
            ["shusha"],
        ),
        (
            "article=the-new-russia-iran-treaty-implications-for-the-south-caucasus-region",
            ["russia_iran"],
            ["csp"],
        ),
    ],
)
def test_agreement_filters(api, dataset, query, expected, excluded):
    found = ids(api.get(f"{URL}?{query}&page_size=100"))

    assert agreement_ids(dataset, *expected) <= found
    assert not agreement_ids(dataset, *excluded) & found


def test_signing_bounds_match_only_agreements_known_to_lie_within_them(api, dataset):
    # Shusha: "2021", a year. The whole year lies after 2021-01-01 and before 2021-12-31…
    within = ids(api.get(f"{URL}?signed_after=2021-01-01&signed_before=2021-12-31"))
    # …but it may have been signed before June: a bound inside the year leaves it out.
    after_june = ids(api.get(f"{URL}?signed_after=2021-06-01&signed_before=2021-12-31"))
    # The CSP, "2025-04", is not known to be signed by mid-April.
    by_mid_april = ids(api.get(f"{URL}?signed_before=2025-04-15"))

    assert agreement_ids(dataset, "shusha") == within
    assert after_june == set()
    assert str(dataset.agreements.csp.pk) not in by_mid_april
    assert str(dataset.agreements.russia_iran.pk) in by_mid_april


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("party=atlantis", "party"),
        ("party=azerbaijan&party=", "party"),
        ("kind=alliance", "kind"),
        ("status=in_force", "status"),
        ("signed_after=2024-13-01", "signed_after"),
        ("signed_before=soon", "signed_before"),
        ("article=missing", "article"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=-3", "page_size"),
        ("pagination=scroll", "pagination"),
        ("cursor=garbage", "cursor"),
    ],
)
def test_bad_agreement_parameters_are_400s_naming_them(api, dataset, query, parameter):
    response = api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_csv_lists_parties_and_sources_flat(api, dataset):
    rows = csv_rows(api.get(f"{URL}?party=russia&format=csv"))

    assert len(rows) == 1
    assert rows[0]["signed"] == "2025-01-17"
    assert rows[0]["party_slugs"] == "russia | iran" or rows[0]["party_slugs"] == "iran | russia"
    assert rows[0]["citation_article_slugs"] == (
        "the-new-russia-iran-treaty-implications-for-the-south-caucasus-region"
    )
    assert rows[0]["citation_quotes"].startswith("On January 17, Russia and Iran signed")
