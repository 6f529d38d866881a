"""An editor brings an article in and reviews its candidates, in a real browser, with the
keyboard where a keyboard user would use it."""

import pytest

from actors.models import Agreement, TradeFigure
from actors.tests.factories import make_country
from core.tests.factories import PASSWORD
from intake.models import RejectedCandidate
from intake.tests.helpers import fictional

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TREATY = "In May 2024, Veloria and Ostrand signed a treaty on transit. "


@pytest.fixture
def signed_in(page, live_server, django_user_model, editorial_groups):
    user = django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True
    )
    user.groups.add(editorial_groups["Editors"])
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#editorial-work")
    return page


def test_an_editor_pastes_an_article_and_accepts_a_figure_and_an_agreement(
    signed_in, live_server, screenshot
):
    make_country(10, name="Veloria", iso_code="VL")
    make_country(11, name="Ostrand", iso_code="OX")
    text = fictional("01").replace("Total trade between", TREATY + "Total trade between")
    page = signed_in

    with page.expect_navigation():
        page.click("text=Bring in an article")
    # The text box has the focus: paste, then Tab to "Preview" and Enter.
    assert page.evaluate("document.activeElement.id") == "id_text"
    page.fill("#id_text", text)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "intake-preview-button"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    preview = page.inner_text("#intake-preview")
    assert "Veloria and Ostrand Rebuild Their Caspian Trade" in preview
    assert "Marta Kelling (new author)" in preview
    screenshot("preview")

    page.focus("#intake-confirm")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#candidates-trade_figure")
    assert "Saved" in page.inner_text(".messagelist")
    screenshot("candidates")

    with page.expect_navigation():
        page.click("#candidates-trade_figure .intake-candidate >> nth=0 >> text=Review and accept")
    assert page.input_value("#id_value") == "41500000.00"
    assert page.input_value("#id_reporter") == "veloria"
    assert page.input_value("#id_partner") == "ostrand"
    screenshot("trade-figure-form")
    with page.expect_navigation():
        page.click("#accept-save")
    assert "needs review" in page.inner_text(".messagelist .success")

    with page.expect_navigation():
        page.click("#candidates-agreement .intake-candidate >> nth=0 >> text=Review and accept")
    assert page.input_value("#id_signed") == "2024-05"
    page.fill("#id_title", "Veloria–Ostrand transit treaty")
    screenshot("agreement-form")
    page.focus("#accept-save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "needs review" in page.inner_text(".messagelist .success")

    figure = TradeFigure.objects.get()
    agreement = Agreement.objects.get()
    for record in (figure, agreement):
        assert record.review_status == "needs_review"
        citation = record.citations.get()
        assert citation.article.text[citation.char_start : citation.char_end] == citation.quote
    assert figure.year == 2019
    assert agreement.signed_precision == "month"

    # A rejection, by keyboard: the candidate leaves the list and stays out.
    page.focus("#candidates-trade_figure .intake-reject >> nth=0")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "will not be proposed again" in page.inner_text(".messagelist .success")
    assert RejectedCandidate.objects.count() == 1
    screenshot("after-rejection")

    page.goto(f"{live_server.url}/admin/review/")
    assert "41500000" in page.inner_text("#review-tradefigure")
    assert "Veloria–Ostrand transit treaty" in page.inner_text("#review-agreement")
    screenshot("review-queue")
