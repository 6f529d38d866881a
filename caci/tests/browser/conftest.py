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


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    browser_page = context.new_page()
    yield browser_page
    context.close()


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
