"""Request rates per client, from settings (API_THROTTLE_ANON_RATE, API_THROTTLE_USER_RATE)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class SettingsRateMixin:
    """Read the rate from settings on each request, not once at import, so that it can be
    changed without a restart of the test process (and read where it is documented)."""

    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)


class AnonymousClientThrottle(SettingsRateMixin, AnonRateThrottle):
    """Anonymous clients, counted by address."""


class AuthenticatedClientThrottle(SettingsRateMixin, UserRateThrottle):
    """Authenticated clients, counted by account."""
