"""Token authentication the Nexus way: ``?token=``, ``Authorization: Token`` or ``Bearer``."""

from rest_framework.authentication import BaseAuthentication

from sluis.accounts.addresses import client_address
from sluis.accounts.errors import AmbiguousToken, InvalidToken
from sluis.accounts.services import (
    token_attempts_check,
    token_authenticate,
    token_failure_record,
)

_SCHEMES = {"token", "bearer"}


def request_token(request) -> str | None:
    """The one token a request carries, or None. Two different tokens are an error."""
    found = {t for t in (_query_token(request), _header_token(request)) if t}
    if len(found) > 1:
        raise AmbiguousToken()
    return found.pop() if found else None


def _query_token(request) -> str | None:
    values = request.GET.getlist("token")
    if len(set(values)) > 1:
        raise AmbiguousToken()
    return values[0].strip() if values else None


def _header_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in _SCHEMES:
        return None
    return value.strip() or None


class TokenAuthentication(BaseAuthentication):
    """Authenticates API tokens; an unknown, revoked or expired token is a 403, never ignored.

    Failed attempts are counted per client address; past the limit every token request from
    that address is a 429 with Retry-After until the window ends (docs/api.md).
    """

    def authenticate(self, request):
        secret = request_token(request._request)
        if secret is None:
            return None
        address = client_address(request._request.META)
        token_attempts_check(address=address)
        token = token_authenticate(secret=secret)
        if token is None:
            token_failure_record(address=address)
            raise InvalidToken()
        return token.user, token
