"""An editor at work in the admin, in a real browser: the pages' JavaScript (autocomplete,
prepopulated slugs, inlines) included."""

import pytest

from actors.models import Actor, TradeFigure
from actors.services import actor_update
from actors.tests.factories import make_country
from articles.tests.factories import TRADE_QUOTE, make_article
from core.tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # The live server, in another thread, reads what the test writes: no rollback.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def editor(django_user_model, editorial_groups):
    user = django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True
    )
    user.groups.add(editorial_groups["Editors"])
    return user


@pytest.fixture
def signed_in(page, live_server, editor, screenshot):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#editorial-work")
    screenshot("signed-in")
    return page


def choose(page, select_id: str, search: str, option: str) -> None:
    """Pick ``option`` in an autocomplete field, typing ``search`` as an editor would."""
    page.click(f"#{select_id} + .select2-container .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.get_by_role("option", name=option, exact=True).click()


def test_an_editor_creates_an_actor_with_an_alias(signed_in, live_server, screenshot):
    page = signed_in
    page.goto(f"{live_server.url}/admin/actors/actor/add/")
    page.locator("#id_name").press_sequentially("United States")
    page.select_option("#id_kind", "country")
    page.fill("#id_iso_code", "us")
    page.fill("#id_aliases-0-name", "Washington")
    assert page.input_value("#id_slug") == "united-states"  # Filled in by the page.
    screenshot("actor-form")

    page.click("input[name=_save]")

    page.wait_for_selector(".messagelist .success")
    screenshot("actor-saved")
    actor = Actor.objects.get(slug="united-states")
    assert actor.iso_code == "US"
    assert list(actor.aliases.values_list("name", flat=True)) == ["Washington"]
    page.fill("#searchbar", "Washington")
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    assert (
        page.locator("#result_list tbody tr").all_inner_texts()[0].split("\t")[1]
        == "United States"
    )
    screenshot("actor-found-by-alias")


def test_an_editor_adds_a_trade_figure_and_is_told_when_a_quote_is_not_in_the_article(
    signed_in, live_server, screenshot
):
    make_article(1, title="Mongolia's Pivot to Central Asia")
    make_country(0, name="Mongolia", iso_code="MN")
    make_country(1, name="Kazakhstan", iso_code="KZ")
    page = signed_in
    page.goto(f"{live_server.url}/admin/actors/tradefigure/add/")
    choose(page, "id_reporter", "Mongol", "Mongolia")
    choose(page, "id_partner", "KZ", "Kazakhstan")
    page.select_option("#id_flow", "total")
    page.fill("#id_value", "150000000")
    page.select_option("#id_qualifier", "approximately")
    choose(page, "id_citations-0-article", "Pivot", "Mongolia's Pivot to Central Asia")
    page.fill("#id_citations-0-quote", "Trade with Kazakhstan reached $9 billion.")
    screenshot("figure-form")

    page.click("input[name=_save]")

    error = page.wait_for_selector(".inline-related .errorlist")
    assert error.inner_text() == "This passage does not occur in the article's text."
    screenshot("quote-refused")
    assert TradeFigure.objects.count() == 0

    page.fill("#id_citations-0-quote", TRADE_QUOTE)
    page.click("input[name=_save]")

    page.wait_for_selector(".messagelist .success")
    screenshot("figure-saved")
    figure = TradeFigure.objects.get()
    assert figure.citations.get().quote == TRADE_QUOTE

    # The article's page shows the figure citing it, its quote marked in the text.
    page.goto(
        f"{live_server.url}/admin/articles/article/{figure.citations.get().article_id}/change/"
    )
    assert page.inner_text("#citations-group mark") == TRADE_QUOTE
    screenshot("article-with-citing-facts")
    page.goto(f"{live_server.url}/admin/review/")
    assert "Mongolia total trade with Kazakhstan" in page.inner_text("#review-tradefigure")
    screenshot("review-queue")


def test_an_editor_reverts_a_change_from_the_history(signed_in, live_server, screenshot):
    mongolia = make_country(0, name="Mongolia", iso_code="MN")
    actor_update(actor=mongolia, data={"name": "Mongolia (renamed by mistake)"})
    page = signed_in
    page.goto(f"{live_server.url}/admin/actors/actor/{mongolia.pk}/history/")
    assert "Mongolia (renamed by mistake)" in page.inner_text("#change-history")
    screenshot("history-with-changes")

    with page.expect_navigation():
        page.click("#change-history tbody tr:last-child a")  # The first version.
    assert page.input_value("#id_name") == "Mongolia"
    screenshot("earlier-version")
    page.click("input[name=_save]")  # "Revert …"

    page.wait_for_selector(".messagelist .success")
    screenshot("reverted")
    mongolia.refresh_from_db()
    assert mongolia.name == "Mongolia"

    # A deletion is undone from the deleted records.
    page.goto(f"{live_server.url}/admin/actors/actor/{mongolia.pk}/delete/")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist .success")
    page.goto(f"{live_server.url}/admin/deleted/")
    screenshot("deleted-records")
    page.click("#deleted-records input[value=Restore]")
    page.wait_for_selector(".messagelist .success")
    screenshot("restored")
    assert Actor.objects.get(slug="mongolia").name == "Mongolia"


def test_an_editor_imports_a_csv_of_trade_figures(signed_in, live_server, screenshot, tmp_path):
    make_article(1)
    make_country(0, name="Mongolia", iso_code="MN")
    make_country(1, name="Kazakhstan", iso_code="KZ")
    sheet = tmp_path / "figures.csv"
    sheet.write_text(
        "reporter,partner,flow,year,value,qualifier,citation_1_article,citation_1_quote\n"
        f'MN,kazakhstan,total,2024,150000000,approximately,article-1,"{TRADE_QUOTE}"\n'
    )
    page = signed_in
    page.goto(f"{live_server.url}/admin/actors/tradefigure/")
    page.click("a.import_link")
    page.set_input_files("#id_import_file", str(sheet))
    page.select_option("#id_format", label="csv")
    screenshot("import-form")
    page.click("input[type=submit][value=Submit]")

    page.wait_for_selector("table.import-preview")
    assert "New" in page.inner_text("table.import-preview")
    screenshot("import-preview")
    assert TradeFigure.objects.count() == 0
    page.click("input[name=confirm]")

    page.wait_for_selector(".messagelist .success")
    screenshot("imported")
    assert TradeFigure.objects.get().reporter.slug == "mongolia"
