"""The explorer's pages on the shared dataset (caci/tests/dataset.py): what a reader sees,
what stays hidden (records under review, quotes from articles under review), the links
to the API, and the number of queries each page costs."""

import json
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from actors.models import Citation, Mention
from actors.tests.factories import make_agreement, make_country, make_trade_figure
from articles.models import Article
from articles.search import articles_matching
from articles.tests.factories import make_article
from core.services import records_publish
from explorer import views

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def hrefs(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', response.content.decode())]


def url(name, *args):
    return reverse(f"explorer:{name}", args=args)


# Home -------------------------------------------------------------------------------------


def test_home_counts_what_is_published(client, dataset):
    response = client.get("/")

    assert response.status_code == 200
    text = text_of(response)
    # 4 of 5 articles, every actor (actors are not reviewed), 4 of 5 agreements, 8 of 9
    # figures.
    assert "4 articles" in text
    assert "13 actors" in text
    assert "4 agreements" in text
    assert "8 trade figures" in text


def test_home_lists_the_latest_articles_and_the_actors_most_written_about(client, dataset):
    response = client.get("/")

    links = hrefs(response)
    articles = [link for link in links if link.startswith("/articles/") and link != "/articles/"]
    # Newest first; the article whose date is unknown last; the draft nowhere.
    assert articles == [
        url("article", dataset.articles.cutler.slug),
        url("article", dataset.articles.avdaliani.slug),
        url("article", dataset.articles.sukhankin.slug),
        url("article", dataset.articles.mongolia.slug),
    ]
    text = text_of(response)
    # Azerbaijan: 4 published articles (the draft that also mentions it does not count).
    assert "Azerbaijan 4 articles" in text
    assert text.index("Azerbaijan 4 articles") < text.index("Russia 2 articles")


def test_the_search_box_searches_the_articles_with_the_api_s_full_text_search(client, dataset):
    response = client.get("/")
    assert '<form class="search" action="/articles/"' in response.content.decode()

    found = client.get("/articles/", {"q": "Shusha Declaration"})

    assert url("article", dataset.articles.cutler.slug) in hrefs(found)
    assert url("article", dataset.articles.sukhankin.slug) not in hrefs(found)
    assert "1 found." in text_of(found)


def test_the_search_never_finds_an_article_under_review(client, dataset):
    draft = dataset.articles.avdaliani_draft
    words = "Middle Corridor connects"  # from the draft's own lede
    assert draft in articles_matching(Article.objects.all(), words)

    found = client.get("/articles/", {"q": words})

    assert url("article", draft.slug) not in hrefs(found)


# Article ----------------------------------------------------------------------------------


def test_an_article_shows_its_byline_date_section_and_sources(client, dataset):
    article = dataset.articles.sukhankin

    response = client.get(url("article", article.slug))

    text = text_of(response)
    assert "The New Russia-Iran Treaty: Implications for the South Caucasus Region" in text
    assert "Sergey Sukhankin · 21 February 2025" in text
    assert "Analytical Articles" in text
    assert [url("actor", slug) for slug in ("azerbaijan", "iran", "russia")] == [
        link
        for link in hrefs(response)
        if link.startswith("/actors/") and link.count("/") == 3 and link != "/actors/"
    ][-3:]


def test_every_cited_passage_is_highlighted_and_links_to_the_fact_it_supports(client, dataset):
    figure = dataset.figures.az_cn_2024
    shusha = dataset.agreements.shusha

    response = client.get(url("article", dataset.articles.cutler.slug))

    html = response.content.decode()
    marks = re.findall(r'<mark class="cited"[^>]*>(.*?)</mark>', html, flags=re.S)
    # Three published agreements and one published figure cite it.
    assert len(marks) == 4
    linked = dict(
        (href, " ".join(unescape(text).split()))
        for mark in marks
        for href, text in re.findall(r'<a href="([^"]+)">([^<]*)</a>', mark)
    )
    assert linked[url("trade-figure", figure.pk)] == figure.citations.get().quote
    assert linked[url("agreement", shusha.pk)] == shusha.citations.get().quote
    # Each citation has its own anchor, which the fact's page links to.
    assert f'id="cite-{shusha.citations.get().pk}"' in html


def test_a_fact_under_review_is_not_highlighted_in_its_article(client, dataset):
    road = dataset.agreements.road_transport

    response = client.get(url("article", dataset.articles.cutler.slug))

    assert url("agreement", road.pk) not in hrefs(response)
    quote = road.citations.get().quote
    html = response.content.decode()
    assert " ".join(quote.split()[:4]) in unescape(html)  # The text is there, unmarked,
    assert not any(quote.split()[0] in mark for mark in re.findall(r"<mark.*?</mark>", html))


def test_one_passage_that_states_two_figures_links_to_both(client, dataset):
    first, second = dataset.figures.horse_meat_2017, dataset.figures.horse_meat_2022

    response = client.get(url("article", dataset.articles.mongolia.slug))

    html = response.content.decode()
    mark_at = html.index(f'id="cite-{first.citations.get().pk}"')
    passage = html[html.rindex("<mark", 0, mark_at) : html.index("</sup>", mark_at)]
    assert url("trade-figure", first.pk) in passage
    assert url("trade-figure", second.pk) in passage


def test_an_article_under_review_is_not_found(client, dataset):
    response = client.get(url("article", dataset.articles.avdaliani_draft.slug))

    assert response.status_code == 404


# Actor ------------------------------------------------------------------------------------


def test_an_actor_shows_its_aliases_and_identifiers(client, dataset):
    response = client.get(url("actor", "united-states"))

    text = text_of(response)
    assert "Also called U.S., Washington" in text
    assert "ISO 3166-1 code US" in text


def chart_data(response, element_id):
    html = response.content.decode()
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_an_actor_s_trade_is_charted_by_year_and_listed_in_a_table(client, dataset):
    response = client.get(url("actor", "mongolia"))

    charts = chart_data(response, "trade-chart-data")
    assert [chart["currency"] for chart in charts] == ["USD"]
    series = {one["label"]: one["points"] for one in charts[0]["series"]}
    assert series["Kazakhstan exports to Mongolia: industrial and consumer goods"] == [
        {
            "year": 2017,
            "value": 72900000.0,
            "qualifier": "approximately",
            "qualifierLabel": "Approximately",
            "marker": "approximate",
        },
        {
            "year": 2022,
            "value": 93000000.0,
            "qualifier": "exact",
            "qualifierLabel": "Exact",
            "marker": "exact",
        },
    ]
    # Five dated figures are charted; the undated total is in the table, not the chart;
    # the figure under review (Mongolia's exports to Azerbaijan) is in neither.
    assert sum(len(points) for points in series.values()) == 5
    assert "Mongolia–Kazakhstan total trade" not in series
    html = response.content.decode()
    assert html.count('data-charted="USD"') == 5
    text = text_of(response)
    assert "Mongolia–Kazakhstan total trade unknown (not charted) 150,000,000 USD" in text
    assert "livestock" not in text


def test_each_flow_stands_beside_its_mirror_as_each_side_reports_it(client, dataset):
    response = client.get(url("actor", "mongolia"))

    rows = table_rows(response, "Mongolia's trade by partner and year, as each side reports")
    by_year = {(row[0], row[1]): row[2:] for row in rows}
    # Mongolia's exports to Kazakhstan as Mongolia reports them; the goods from
    # Kazakhstan as Kazakhstan reports exporting them; neither side's mirror is known.
    assert by_year["Kazakhstan", "2017"] == [
        "2,900,000 USD (horse meat)",
        "—",
        "—",
        "approximately 72,900,000 USD (industrial and consumer goods)",
        "—",
        "—",
    ]
    assert by_year["Kazakhstan", "unknown"][4] == "approximately 150,000,000 USD"


def test_a_ceiling_and_a_floor_are_drawn_differently_from_an_exact_value(client, dataset):
    response = client.get(url("actor", "russia"))

    (chart,) = chart_data(response, "trade-chart-data")
    (point,) = chart["series"][0]["points"]
    assert (point["qualifier"], point["marker"]) == ("at-most", "ceiling")
    azerbaijan = chart_data(client.get(url("actor", "azerbaijan")), "trade-chart-data")
    assert azerbaijan[0]["series"][0]["points"][0]["marker"] == "ceiling"  # "nearly"


def test_an_actor_s_agreements_are_a_timeline_that_honours_the_date_s_precision(client, dataset):
    response = client.get(url("actor", "azerbaijan"))

    timeline = {span["title"]: span for span in chart_data(response, "timeline-data")}
    # The road transport package is under review.
    assert sorted(timeline) == [
        "Azerbaijan–China Comprehensive Strategic Partnership",
        "Azerbaijan–China joint declaration on strategic partnership",
        "Shusha Declaration",
    ]
    shusha = timeline["Shusha Declaration"]
    # Known to the year: it spans 2021, not 1 January.
    assert (shusha["signed"], shusha["start"], shusha["end"]) == ("2021", 2021.0, 2022.0)
    april = timeline["Azerbaijan–China Comprehensive Strategic Partnership"]
    assert april["signed"] == "2025-04"
    assert 2025.24 < april["start"] < april["end"] < 2025.34
    text = text_of(response)
    assert "Shusha Declaration 2021 (year known)" in text


def table_rows(response, caption: str) -> list[list[str]]:
    """The text of each cell of each body row of the table whose caption starts so."""
    html = response.content.decode()
    start = html.index(f"<caption>{caption}")
    table = html[start : html.index("</table>", start)]
    table = table[table.index("<tbody>") :]
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]


def test_an_actor_s_network_neighbourhood_names_each_link_s_source(client, dataset):
    response = client.get(url("actor", "azerbaijan"))

    cells = table_rows(response, "Actors linked to Azerbaijan")
    by_actor = {row[0]: row[1:] for row in cells}
    assert by_actor["China"] == [
        # By the date they were signed.
        "Azerbaijan–China joint declaration on strategic partnership; "
        "Azerbaijan–China Comprehensive Strategic Partnership",
        "1",
        "1",
    ]
    assert by_actor["Turkey"] == ["Shusha Declaration", "0", "1"]
    # The Mongolian exports to Azerbaijan are under review: Mongolia is linked by the one
    # published article that discusses both.
    assert by_actor["Mongolia"] == ["—", "0", "1"]
    # China: two agreements, a figure and an article: the most linked.
    assert cells[0][0] == "China"


def test_an_actor_lists_the_published_articles_that_mention_it(client, dataset):
    response = client.get(url("actor", "georgia"))

    links = hrefs(response)
    assert url("article", dataset.articles.avdaliani.slug) in links
    assert url("article", dataset.articles.avdaliani_draft.slug) not in links


# Agreement and trade figure ---------------------------------------------------------------


def test_an_agreement_shows_its_parties_date_precision_and_quotes(client, dataset):
    agreement = dataset.agreements.csp
    citation = agreement.citations.get()

    response = client.get(url("agreement", agreement.pk))

    text = text_of(response)
    assert "Azerbaijan–China Comprehensive Strategic Partnership" in text
    assert "Signed April 2025 (known to the month)" in text
    assert "Azerbaijan Signatory" in text
    assert "China Signatory" in text
    assert " ".join(citation.quote.split()) in text
    assert f"{url('article', dataset.articles.cutler.slug)}#cite-{citation.pk}" in hrefs(response)


def test_a_trade_figure_shows_its_sides_qualified_value_and_quote(client, dataset):
    figure = dataset.figures.az_cn_2024

    response = client.get(url("trade-figure", figure.pk))

    text = text_of(response)
    assert "Azerbaijan–China total trade, 2024" in text
    assert "Value nearly 3,740,000,000 USD" in text
    assert "Azerbaijan Reporter" in text
    assert "China Partner" in text
    assert "reaching nearly US$ 3.74 billion" in text


def test_a_quote_from_an_article_under_review_is_shown_nowhere(client, dataset):
    figure = dataset.figures.az_cn_2024
    draft = dataset.articles.avdaliani_draft
    citation = Citation(
        article=draft, trade_figure=figure, quote="The Middle Corridor connects Azerbaijan"
    )
    citation.full_clean()
    citation.save()

    pages = [
        client.get(url("trade-figure", figure.pk)),
        client.get(url("actor", "azerbaijan")),
        client.get(url("trade-figures")),
    ]

    for page in pages:
        assert "Middle Corridor connects" not in page.content.decode()
        assert url("article", draft.slug) not in hrefs(page)


@pytest.mark.parametrize(
    ("name", "record"),
    [("agreement", "agreements.road_transport"), ("trade-figure", "figures.mn_az_2024")],
)
def test_a_fact_under_review_is_not_found(client, dataset, name, record):
    group, attribute = record.split(".")

    response = client.get(url(name, getattr(getattr(dataset, group), attribute).pk))

    assert response.status_code == 404


# Lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "expected", "absent"),
    [
        ("/articles/", {"section": "analytical-articles"}, "has-the-west-lost-azerbaijan", None),
        ("/articles/", {"author": "emil-avdaliani"}, "with-a-potential-deal", "has-the-west"),
        ("/articles/", {"actor": "iran"}, "the-new-russia-iran-treaty", "has-the-west"),
        ("/articles/", {"year": "2025"}, "has-the-west", "mongolias-pivot"),
        ("/actors/", {"kind": "organization"}, "shanghai-cooperation", "/actors/china/"),
        ("/actors/", {"q": "Moscow"}, "/actors/russia/", "/actors/china/"),
        ("/agreements/", {"party": "iran"}, "Russia–Iran Treaty", "Shusha"),
        ("/agreements/", {"kind": "treaty"}, "Russia–Iran Treaty", "Shusha"),
        ("/agreements/", {"year": "2021"}, "Shusha", "Russia–Iran"),
        ("/trade-figures/", {"actor": "russia"}, "Russia", "Kyrgyzstan"),
        ("/trade-figures/", {"qualifier": "nearly"}, "nearly 3,740,000,000", "Kyrgyzstan"),
        ("/trade-figures/", {"year": "2017", "flow": "total"}, "Kyrgyzstan", "Iran"),
    ],
)
def test_a_list_filters_by_plain_links(client, dataset, path, params, expected, absent):
    response = client.get(path, params)

    assert response.status_code == 200
    html = unescape(response.content.decode())
    main = html[html.index("</form>") :]
    assert expected in main
    if absent:
        assert absent not in main[: main.index("This page's data")]


def test_a_list_refuses_a_filter_it_cannot_read(client, dataset):
    response = client.get("/trade-figures/", {"actor": "atlantis", "year": "12"})

    assert response.status_code == 400
    text = text_of(response)
    assert "No actor has the slug “atlantis”." in text
    assert "Year: Ensure this value is greater than or equal to 1900." in text


def test_a_list_pages_with_plain_links_that_keep_its_filters(client, dataset, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)

    first = client.get("/actors/", {"kind": "country"})
    second = client.get("/actors/", {"kind": "country", "page": "2"})

    assert "Page 1 of 6" in text_of(first)
    assert "?kind=country&page=2" in hrefs(first)
    assert "?kind=country&page=1" in hrefs(second)
    names = [
        re.findall(r'href="/actors/([a-z-]+)/"', page.content.decode()) for page in (first, second)
    ]
    assert names == [["armenia", "azerbaijan"], ["china", "georgia"]]


# Links to the API, for everyone; to the admin, for editors --------------------------------


def explorer_pages(dataset) -> list[str]:
    return [
        "/",
        "/articles/?author=sergey-sukhankin",
        url("article", dataset.articles.cutler.slug),
        "/actors/?kind=country",
        url("actor", "azerbaijan"),
        "/agreements/?party=china",
        url("agreement", dataset.agreements.csp.pk),
        "/trade-figures/?actor=mongolia&year=2017",
        url("trade-figure", dataset.figures.az_cn_2024.pk),
    ]


def test_every_page_links_to_the_api_request_and_the_csv_of_its_data(client, api, dataset):
    for page in explorer_pages(dataset):
        links = [link for link in hrefs(client.get(page)) if link.startswith("/api/v1/")]
        json_links = [link for link in links if "format=csv" not in link]
        csv_links = [link for link in links if "format=csv" in link]
        assert json_links, page
        assert csv_links, page
        for link in links:
            answer = api.get(link)
            assert answer.status_code == 200, (page, link, answer.content[:300])
            assert answer["Content-Type"].startswith(
                "text/csv" if "format=csv" in link else "application/json"
            )


def test_a_list_s_api_link_applies_the_same_filters(client, api, dataset):
    response = client.get("/trade-figures/", {"actor": "mongolia", "year": "2017"})

    (link,) = [link for link in hrefs(response) if link.startswith("/api/v1/trade-figures/?")][:1]
    records = api.get(link).json()["results"]
    assert len(records) == 3
    assert "3 found." in text_of(response)


def test_an_editor_sees_an_edit_in_admin_link_and_the_public_does_not(editor_client, dataset):
    page = url("agreement", dataset.agreements.csp.pk)
    admin_url = reverse("admin:actors_agreement_change", args=[dataset.agreements.csp.pk])

    assert admin_url not in hrefs(Client().get(page))
    assert admin_url in hrefs(editor_client.get(page))


def test_an_editor_sees_only_what_is_published_too(editor_client, dataset):
    response = editor_client.get(url("article", dataset.articles.avdaliani_draft.slug))

    assert response.status_code == 404


# Queries ----------------------------------------------------------------------------------


def more_published_records(count: int, reviewer) -> None:
    """``count`` more published articles, each with a published agreement and figure
    between two new countries and Azerbaijan, and mentions of them."""
    from actors.models import Actor

    azerbaijan = Actor.objects.get(slug="azerbaijan")
    records = []
    for number in range(count):
        article = make_article(100 + number, published_on=None)
        first = make_country(200 + 2 * number, iso_code=None)
        second = make_country(201 + 2 * number, iso_code=None)
        for actor in (first, second, azerbaijan):
            Mention.objects.create(article=article, actor=actor)
        records += [
            article,
            make_agreement(article, [first, second, azerbaijan], number=100 + number),
            make_trade_figure(article, first, azerbaijan),
            make_trade_figure(article, azerbaijan, second, year=2000 + number),
        ]
    records_publish(records=records, user=reviewer)


# Queries per page, whatever the number of records: the counts, the page of records and
# one query per relation it shows.
QUERIES = {
    "/": 7,
    "/articles/?author=sergey-sukhankin": 4,
    "article": 4,
    "/actors/?kind=country": 2,
    "actor": 13,
    "/agreements/?party=azerbaijan": 5,
    "agreement": 3,
    "/trade-figures/?actor=azerbaijan": 4,
    "trade-figure": 2,
}


@pytest.mark.parametrize("page", list(QUERIES))
def test_each_page_costs_the_same_few_queries_however_many_records(
    client, dataset, django_assert_num_queries, page
):
    def address():
        return {
            "article": url("article", dataset.articles.cutler.slug),
            "actor": url("actor", "azerbaijan"),
            "agreement": url("agreement", dataset.agreements.csp.pk),
            "trade-figure": url("trade-figure", dataset.figures.az_cn_2024.pk),
        }.get(page, page)

    with django_assert_num_queries(QUERIES[page]):
        before = client.get(address())
    more_published_records(3, dataset.reviewer)
    with django_assert_num_queries(QUERIES[page]):
        after = client.get(address())

    assert before.status_code == after.status_code == 200
