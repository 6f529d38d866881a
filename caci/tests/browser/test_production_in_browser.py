"""The production server (gunicorn, DJANGO_DEBUG=0, static files from whitenoise) in a real
browser: the admin looks as it does in development, the API docs work with no access to
anything but this machine, and nothing is blocked by the Content-Security-Policy."""

from urllib.parse import urlparse

import pytest

from caci.tests.conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Redoc's side menu shows its maker's logo from their CDN, whatever its options: the policy
# refuses it (images from this site only) and Redoc leaves it out.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# What makes the admin look like itself: its stylesheets set each of these.
ADMIN_LOOK = {
    "body": ["font-family", "color", "background-color"],
    "#header": ["background-color", "color", "display"],
    "#site-name a": ["color", "font-size"],
    "#login-form input[type=submit]": ["background-color", "color", "border-radius"],
    "#content-main": ["width"],
}


def look(page) -> dict[str, dict[str, str]]:
    return page.evaluate(
        """(wanted) => Object.fromEntries(Object.entries(wanted).map(([selector, names]) => {
            const style = getComputedStyle(document.querySelector(selector));
            const values = names.map((n) => [n, style.getPropertyValue(n)]);
            return [selector, Object.fromEntries(values)];
        }))""",
        ADMIN_LOOK,
    )


@pytest.fixture
def offline(page):
    """Every request to another host is refused, as on a machine without internet."""
    refused = []

    def route(route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.context.route("**/*", route)
    return refused


@pytest.fixture
def static_failures(page):
    failures = []
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))
    return failures


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admin_looks_the_same_in_production_as_in_development(
    page, production, live_server, static_failures, screenshot
):
    page.goto(f"{live_server.url}/admin/login/")
    in_development = look(page)
    screenshot("login-in-development")

    page.goto(f"{production.url}/admin/login/")
    in_production = look(page)
    screenshot("login-in-production")

    assert in_production == in_development
    assert in_production["#header"]["background-color"] == "rgb(65, 118, 144)"
    assert static_failures == []


def test_an_operator_signs_in_to_the_production_admin(
    page, production, offline, static_failures, screenshot
):
    sign_in(page, production.url)
    page.wait_for_selector("#editorial-work")
    screenshot("index")
    page.goto(f"{production.url}/admin/actors/actor/add/")
    page.locator("#id_name").press_sequentially("Tajikistan")
    assert page.input_value("#id_slug") == "tajikistan"  # The admin's own script ran.
    screenshot("actor-form")

    assert static_failures == []
    assert offline == []
    assert page.report.errors == []


def test_swagger_ui_lists_the_operations_with_no_access_to_the_internet(
    page, production, offline, static_failures, screenshot
):
    page.goto(f"{production.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=60_000)
    screenshot("swagger")

    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/api/v1/trade-figures/", "/api/v1/agreements/{id}/"} <= {
        path.replace("\u200b", "") for path in paths
    }
    assert page.locator(".opblock").count() >= 20
    assert static_failures == []
    assert page.report.errors == []


def test_redoc_lists_the_operations_with_no_access_to_the_internet(
    page, production, offline, static_failures
):
    page.report.expected_refusals.append(REDOC_LOGO)
    page.goto(f"{production.url}/api/redoc/")
    # Redoc lays the whole schema out before it shows anything: slow on a busy machine.
    page.wait_for_selector("[data-section-id^='operation/']", state="attached", timeout=90_000)

    assert page.locator("[data-section-id^='operation/']").count() >= 20
    assert page.get_by_text("/api/v1/trade-figures/", exact=False).count() > 0
    page.report.collect()
    assert page.report.unexpected_violations() == []
    assert offline == []  # Refused by the policy, the logo was not even asked for.
    assert static_failures in ([], [f"failed {REDOC_LOGO}"])
    assert page.report.errors == []


def test_the_browsable_api_works_for_a_signed_in_editor(
    page, production, offline, static_failures, screenshot
):
    sign_in(page, production.url)
    page.goto(f"{production.url}/api/v1/actors/")
    page.wait_for_selector(".response-info")
    screenshot("browsable-api")

    assert "Actor List" in page.inner_text("h1")
    assert static_failures == []
    assert offline == []
    assert page.report.errors == []
