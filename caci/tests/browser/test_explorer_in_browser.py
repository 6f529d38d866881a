"""A reader in the public explorer, in a real browser: from the home page's search to an
article, from a highlighted passage to the fact it states, to an actor's charts and one of
its agreements. Every page is checked with axe-core (no violation), under the
Content-Security-Policy, with every request that would leave 127.0.0.1 refused, and saved
as screenshots 375 and 1280 pixels wide."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from caci.tests.dataset import dataset_build

pytestmark = [
    pytest.mark.browser,
    # The live server, in another thread, reads what the test writes (see the admin's
    # browser tests).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(settings.BASE_DIR) / "explorer" / "tests" / "vendor" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WIDTHS = (375, 1280)

RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    nodes: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""

# Points the trade chart draws (a year's value), and the bars of the timeline.
CHARTED_POINTS = """(canvas) => Chart.getChart(canvas).data.datasets.reduce(
  (count, dataset) => count + dataset.data.filter((point) => point.y !== null).length, 0)"""
TIMELINE_BARS = "(canvas) => Chart.getChart(canvas).data.datasets[0].data.length"


@pytest.fixture
def reader(page, screenshot):
    """The page, with every request that leaves this machine refused and recorded, and a
    ``check(step)`` that runs axe-core on the page and saves it at both widths."""
    refused = []

    def route(request_route):
        if urlparse(request_route.request.url).hostname in LOCAL_HOSTS:
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.context.route("**/*", route)
    axe_source = AXE.read_text()

    def check(step: str) -> None:
        # Run in the page by the browser's own protocol: the page's CSP does not apply.
        page.evaluate(axe_source)
        assert page.evaluate(RUN_AXE) == [], step
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            screenshot(f"{step}-{width}")
            # Readable at the width: nothing wider than the window but what scrolls.
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, (step, width, overflow)
        page.set_viewport_size({"width": 1280, "height": 900})

    page.check = check
    yield page
    assert refused == []


@pytest.fixture
def dataset(transactional_db):
    return dataset_build()


def test_a_reader_goes_from_a_search_to_an_article_a_fact_an_actor_and_an_agreement(
    reader, live_server, dataset
):
    page = reader
    page.goto(f"{live_server.url}/")
    page.check("home")
    # The first Tab reaches the link that skips to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"

    page.get_by_role("searchbox", name="Search the articles").fill("Shusha")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("p.count").inner_text() == "1 found."
    page.check("search")

    page.get_by_role("link", name='Has the West "Lost" Azerbaijan?').click()
    page.wait_for_selector("mark.cited")
    assert page.locator("mark.cited").count() == 4
    page.check("article")

    figure = dataset.figures.az_cn_2024
    passage = page.locator(f'mark.cited a[href="/trade-figures/{figure.pk}/"]')
    assert "nearly US$ 3.74 billion" in passage.inner_text()
    passage.click()
    page.wait_for_url(f"**/trade-figures/{figure.pk}/")
    assert page.locator("h1").inner_text() == "Azerbaijan–China total trade, 2024"
    page.check("trade-figure")

    page.get_by_role("cell", name="Azerbaijan").get_by_role("link").click()
    page.wait_for_url("**/actors/azerbaijan/")
    page.wait_for_selector("#timeline-chart[data-rendered=true]")
    timeline = page.locator("#timeline-chart")
    assert timeline.evaluate(TIMELINE_BARS) == page.locator("ol.timeline > li").count() == 3
    page.check("actor")

    page.locator("ol.timeline").get_by_role("link", name="Shusha Declaration").click()
    page.wait_for_url(re.compile(r".*/agreements/[0-9a-f-]+/$"))
    assert "Signed 2021 (known to the year)" in " ".join(
        page.locator("dl.facts").inner_text().split()
    )
    page.check("agreement")


def test_an_actor_s_trade_chart_draws_the_points_of_its_table(reader, live_server, dataset):
    page = reader
    page.goto(f"{live_server.url}/actors/mongolia/")
    page.wait_for_selector("#trade-chart-0[data-rendered=true]")

    drawn = page.locator("#trade-chart-0").evaluate(CHARTED_POINTS)
    rows = page.locator("table.trade-table tr[data-charted]").count()
    # Five dated figures; the total with no year is in the table only.
    assert drawn == rows == 5
    # From 2 million to 93 million: a logarithmic scale, which the axis says.
    assert page.locator("#trade-chart-0").get_attribute("data-scale") == "logarithmic"
    assert page.locator("table.trade-table tbody tr").count() == 6
    page.check("actor-trade")


@pytest.mark.parametrize("path", ["/articles/", "/actors/", "/agreements/", "/trade-figures/"])
def test_each_list_passes_axe(reader, live_server, dataset, path):
    reader.goto(f"{live_server.url}{path}")
    reader.check(f"list-{path.strip('/')}")


def test_without_javascript_the_actor_page_still_has_every_figure(chromium, live_server, dataset):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/actors/mongolia/")

    assert page.locator("table.trade-table tbody tr").count() == 6
    context.close()
