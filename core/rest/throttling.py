"""Request rates per client, from settings (API_THROTTLE_ANON_RATE, API_THROTTLE_USER_RATE).

The counts live in the default cache: Redis in production (REDIS_URL), so every worker of
every app server counts the same client once. An anonymous client is its address as the
proxy chain gives it (core.http.client_address), not a header it can set itself.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.http import client_address


class SettingsRateMixin:
    """Read the rate from settings on each request, not once at import, so that it can be
    changed without a restart of the test process (and read where it is documented)."""

    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class AnonymousClientThrottle(SettingsRateMixin, AnonRateThrottle):
    """Anonymous clients, counted by address."""


class AuthenticatedClientThrottle(SettingsRateMixin, UserRateThrottle):
    """Authenticated clients, counted by account."""
