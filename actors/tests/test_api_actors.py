import pytest

from caci.tests.helpers import csv_rows, field_values

pytestmark = pytest.mark.django_db

URL = "/api/v1/actors/"


def test_an_actor_reads_with_its_aliases(api, dataset):
    body = api.get(f"{URL}united-states/").json()

    assert body["iso_code"] == "US"
    assert body["aliases"] == ["U.S.", "Washington"]
    assert body["url"] == "http://testserver/api/v1/actors/united-states/"


@pytest.mark.parametrize(
    ("query", "expected", "excluded"),
    [
        ("kind=organization", ["shanghai-cooperation-organization"], ["china"]),
        ("kind=country", ["china", "iran"], ["shanghai-cooperation-organization"]),
        ("iso_code=kz", ["kazakhstan"], ["kyrgyzstan"]),
        ("q=stan", ["kazakhstan", "kyrgyzstan", "uzbekistan"], ["mongolia"]),
        ("q=washington", ["united-states"], ["georgia"]),
        ("q=sco", ["shanghai-cooperation-organization"], ["china"]),
        ("q=AM", ["armenia"], []),
        (
            "mentioned_in=the-new-russia-iran-treaty-implications-for-the-south-caucasus-region",
            ["russia", "iran", "azerbaijan"],
            ["china", "mongolia"],
        ),
    ],
)
def test_actor_filters(api, dataset, query, expected, excluded):
    found = set(field_values(api.get(f"{URL}?{query}&page_size=100")))

    assert set(expected) <= found
    assert not set(excluded) & found


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=planet", "kind"),
        ("iso_code=KAZ", "iso_code"),
        ("mentioned_in=no-such-article", "mentioned_in"),
        ("ordering=-population", "ordering"),
    ],
)
def test_bad_actor_parameters_are_400s(api, dataset, query, parameter):
    response = api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_actors_are_ordered_by_name_by_default_and_on_request(api, dataset):
    default = field_values(api.get(f"{URL}?kind=country"), "name")
    by_slug_desc = field_values(api.get(f"{URL}?kind=country&ordering=-slug"))

    assert default == sorted(default)
    assert by_slug_desc == sorted(by_slug_desc, reverse=True)


def test_actors_csv_flattens_aliases(api, dataset):
    rows = csv_rows(api.get(f"{URL}?q=washington", HTTP_ACCEPT="text/csv"))

    assert [(row["slug"], row["aliases"]) for row in rows] == [
        ("united-states", "U.S. | Washington")
    ]


def test_an_actor_named_by_a_slug_that_is_also_a_code_is_the_slugs(api, dataset, editor):
    api.force_authenticate(editor)
    company = {"name": "GE Vernova", "slug": "ge", "kind": "company"}
    assert api.post("/api/v1/actors/", company, format="json").status_code == 201

    def reporter_of(reference):
        figure = {
            "reporter": reference,
            "partner": "azerbaijan",
            "flow": "export",
            "value": "1",
            "citations": [
                {
                    "article": "has-the-west-lost-azerbaijan",
                    "quote": "The Middle Corridor, stretching from China through Kazakhstan",
                }
            ],
        }
        response = api.post("/api/v1/trade-figures/", figure, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["reporter"]["slug"]

    assert reporter_of("ge") == "ge"
    assert reporter_of("GE") == "georgia"
