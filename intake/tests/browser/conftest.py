"""The project's browser fixtures (Debian's Chromium driven by Playwright)."""

from caci.tests.browser.conftest import (  # noqa: F401
    chromium,
    editorial_groups,
    page,
    screenshot,
)
