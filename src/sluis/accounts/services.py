"""Account services: organizations, users and their API tokens."""

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sluis.accounts.errors import (
    InvalidTokenExpiry,
    InvalidUser,
    TooManyFailedAttempts,
    UnknownOrganization,
)
from sluis.accounts.models import ApiToken, Organization, TokenFailure, User

TOKEN_PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; once a minute is
# precise enough for "when was this token last used" and keeps SQLite's single writer free.
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class IssuedToken:
    """A newly created token: ``secret`` is the only copy of the token there will ever be."""

    token: ApiToken
    secret: str


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def organization_get_or_create(*, name: str) -> Organization:
    organization, _ = Organization.objects.get_or_create(name=name)
    return organization


def organization_get(*, name: str) -> Organization:
    try:
        return Organization.objects.get(name=name)
    except Organization.DoesNotExist as exc:
        raise UnknownOrganization(f"No organization is named {name!r}.") from exc


@transaction.atomic
def user_create(
    *,
    username: str,
    organization: Organization | None,
    display_name: str = "",
    data_supplier: bool = False,
    data_consumer: bool = False,
    password: str | None = None,
    is_staff: bool = False,
) -> User:
    """Create a user with the given roles. Without a password the user cannot sign in."""
    user = User(
        username=username,
        organization=organization,
        display_name=display_name,
        is_data_supplier=data_supplier,
        is_data_consumer=data_consumer,
        is_staff=is_staff,
        is_superuser=is_staff,
    )
    user.set_password(password) if password else user.set_unusable_password()
    try:
        user.full_clean()
    except ValidationError as exc:
        raise InvalidUser("; ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
    user.save()
    return user


def token_expiry(*, days: int | None) -> datetime | None:
    """The expiry of a token valid for ``days`` whole days from now; None (never) without days.

    Zero or fewer days is refused: it would create a token that is expired at once.
    """
    if days is None:
        return None
    if days < 1:
        raise InvalidTokenExpiry(
            f"--expires-days must be at least 1, not {days}; "
            "leave it out for a token that never expires."
        )
    return timezone.now() + timedelta(days=days)


def token_create(*, user: User, name: str = "", expires_at: datetime | None = None) -> IssuedToken:
    """Issue a new token for ``user``; the clear text is returned once and never stored."""
    secret = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:TOKEN_PREFIX_LENGTH],
        digest=token_digest(secret),
        expires_at=expires_at,
    )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_attempts_check(*, address: str) -> None:
    """Raise ``TooManyFailedAttempts`` (429, Retry-After) while ``address`` has used up its
    failed token attempts in the current window (``SLUIS_TOKEN_FAILURE_LIMIT`` per
    ``SLUIS_TOKEN_FAILURE_WINDOW`` seconds). Checked before the token: a blocked address learns
    nothing about the tokens it keeps trying."""
    limit = settings.SLUIS_TOKEN_FAILURE_LIMIT
    if limit <= 0:
        return
    window, retry_after = _failure_window()
    if TokenFailure.objects.filter(address=address, window=window, count__gte=limit).exists():
        raise TooManyFailedAttempts(headers={"Retry-After": str(retry_after)})


def token_failure_record(*, address: str) -> None:
    """Count one failed token attempt of ``address`` in the current window (every process sees
    it: the count is a database row) and drop the rows of earlier windows."""
    if settings.SLUIS_TOKEN_FAILURE_LIMIT <= 0:
        return
    window, _ = _failure_window()
    row = TokenFailure.objects.filter(address=address[:64], window=window)
    if not row.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                TokenFailure.objects.create(address=address[:64], window=window, count=1)
        except IntegrityError:  # another process created it meanwhile
            row.update(count=F("count") + 1)
    TokenFailure.objects.filter(window__lt=window).delete()


def _failure_window() -> tuple[int, int]:
    """The current window's start and the whole seconds until it ends."""
    length = max(settings.SLUIS_TOKEN_FAILURE_WINDOW, 1)
    now = time.time()
    start = int(now // length) * length
    return start, max(1, math.ceil(start + length - now))


def token_authenticate(*, secret: str) -> ApiToken | None:
    """The active token matching ``secret``, or None. Compares digests in constant time.

    Revocation and expiry are checked on the row (``ApiToken.is_active``) after a lookup by
    prefix alone: a simpler query on every authenticated request.
    """
    digest = token_digest(secret)
    candidates = ApiToken.objects.select_related("user").order_by()
    for token in candidates.filter(prefix=secret[:TOKEN_PREFIX_LENGTH]):
        if hmac.compare_digest(token.digest, digest) and token.is_active and token.user.is_active:
            _touch(token)
            return token
    return None


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
