"""Who may read ``/metrics/``: the holder of ``SLUIS_METRICS_TOKEN`` or a staff user's token."""

import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from sluis.accounts.authentication import TokenAuthentication, request_token


class MetricsScraper:
    """``request.auth`` of a request that presented ``SLUIS_METRICS_TOKEN``."""


SCRAPER = MetricsScraper()


class MetricsTokenAuthentication(BaseAuthentication):
    """Accepts ``SLUIS_METRICS_TOKEN`` (header or ``?token=``); any other token falls through
    to the API token authentication."""

    def authenticate(self, request):
        expected = settings.SLUIS_METRICS_TOKEN
        presented = request_token(request._request)
        if expected and presented and hmac.compare_digest(presented, expected):
            return AnonymousUser(), SCRAPER
        return None


class IsScraperOrStaff(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.auth is SCRAPER or bool(request.user and request.user.is_staff)


METRICS_AUTHENTICATION = [MetricsTokenAuthentication, TokenAuthentication]
