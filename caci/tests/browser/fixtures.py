"""Headless Chromium driven by Playwright against the live test server.

Chromium is Debian's (``apt-get install chromium``); Playwright's own browser download is
not used. Without /usr/bin/chromium the browser tests skip, saying so.
"""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between two browser steps are ordinary synchronous calls all the same.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
STEP_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page the browser tests open reports what the Content-Security-Policy blocked: the
# script runs before the page's own, outside the policy.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


class BrowserReport:
    """What went wrong in the page that a person would not see at once: Content-Security-
    Policy violations and JavaScript errors, across every page the test opened."""

    def __init__(self, page):
        self.csp_violations: list[str] = []
        # What a test expects the policy to refuse (a third party's image, say).
        self.expected_refusals: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page = page

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)
        elif message.type == "error":
            self.errors.append(message.text)

    def unexpected_violations(self) -> list[str]:
        return [
            violation
            for violation in self.csp_violations
            if not any(expected in violation for expected in self.expected_refusals)
        ]

    def collect(self) -> None:
        """Add the violations the page in view recorded (call before leaving a page)."""
        try:
            self.csp_violations += self.page.evaluate("window.cspViolations || []")
            self.page.evaluate("window.cspViolations = []")
        except Exception:  # noqa: BLE001 - a closed or navigating page has nothing more to say.
            pass


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    browser_page = context.new_page()
    browser_page.report = BrowserReport(browser_page)
    yield browser_page
    browser_page.report.collect()
    context.close()
    # The pages worked under the Content-Security-Policy: nothing of theirs was blocked.
    assert browser_page.report.unexpected_violations() == []


@pytest.fixture
def screenshot(page, request):
    """``screenshot("step")`` saves the page as artifacts/screenshots/<test>-<n>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    steps = []

    def take(step: str) -> Path:
        steps.append(step)
        path = SCREENSHOTS / f"{test_name}-{len(steps):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def editorial_groups(transactional_db):
    """The Editors and Viewers groups, with the permissions their migration gives them.

    A test that runs against the live server ends by emptying the database, groups
    included: each one sets them up again from the migration's own list.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    migration = importlib.import_module("actors.migrations.0002_editorial_groups")
    groups = {}
    for name, actions in migration.ROLES.items():
        wanted = Q()
        for app_label, models in migration.DATASET_MODELS.items():
            codenames = [f"{action}_{model}" for model in models for action in actions]
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(wanted))
        groups[name] = group
    return groups
