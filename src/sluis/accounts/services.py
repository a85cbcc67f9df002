"""Account services: organizations, users and their API tokens."""

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sluis.accounts.errors import (
    InvalidOrganization,
    InvalidPassword,
    InvalidTokenExpiry,
    InvalidUser,
    TooManyFailedAttempts,
    UnknownOrganization,
    UnknownToken,
    UnknownUser,
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


# Managing organizations, users and tokens (the ``sluis org|user|token`` commands).
_UNCHANGED: object = object()


def organizations_list() -> list[Organization]:
    """Every organization, by name, with ``user_count`` and ``data_source_count``."""
    from django.db.models import Count

    counted = Organization.objects.annotate(
        user_count=Count("users", distinct=True),
        data_source_count=Count("data_sources", distinct=True),
    )
    return list(counted.order_by("name"))


@transaction.atomic
def organization_create(*, name: str) -> Organization:
    """Create organization ``name``; refused (``invalid_organization``) when it exists or the
    name is empty or too long."""
    name = name.strip()
    if Organization.objects.filter(name=name).exists():
        raise InvalidOrganization(f"An organization named {name!r} already exists.")
    return _organization_save(Organization(name=name))


@transaction.atomic
def organization_rename(*, name: str, new_name: str) -> Organization:
    """Rename organization ``name`` (the ``owner`` shown in the API changes with it)."""
    organization = organization_get(name=name)
    new_name = new_name.strip()
    if Organization.objects.filter(name=new_name).exclude(pk=organization.pk).exists():
        raise InvalidOrganization(f"An organization named {new_name!r} already exists.")
    organization.name = new_name
    return _organization_save(organization)


@transaction.atomic
def organization_delete(*, name: str) -> None:
    """Delete an organization that has no users and no data sources (refused otherwise)."""
    organization = organization_get(name=name)
    users, sources = organization.users.count(), organization.data_sources.count()
    if users or sources:
        raise InvalidOrganization(
            f"Organization {name!r} still has {users} user(s) and {sources} data source(s); "
            "delete or move them first."
        )
    organization.delete()


def _organization_save(organization: Organization) -> Organization:
    try:
        organization.full_clean()
    except ValidationError as exc:
        raise InvalidOrganization(_messages(exc)) from exc
    organization.save()
    return organization


def user_get(*, username: str) -> User:
    try:
        return User.objects.select_related("organization").get(username=username)
    except User.DoesNotExist as exc:
        raise UnknownUser(f"No user is named {username!r}.") from exc


def users_list(*, organization: Organization | None = None) -> list[User]:
    """Users by username, of ``organization`` when given."""
    users = User.objects.select_related("organization").order_by("username")
    return list(users.filter(organization=organization) if organization else users)


@transaction.atomic
def user_update(
    *,
    user: User,
    organization: Organization | object | None = _UNCHANGED,
    display_name: str | None = None,
    data_supplier: bool | None = None,
    data_consumer: bool | None = None,
    is_staff: bool | None = None,
    is_active: bool | None = None,
) -> User:
    """Change what is given (``None``: unchanged; ``organization=None`` removes it)."""
    if organization is not _UNCHANGED:
        user.organization = organization  # type: ignore[assignment]
    changes = {
        "display_name": display_name,
        "is_data_supplier": data_supplier,
        "is_data_consumer": data_consumer,
        "is_staff": is_staff,
        "is_superuser": is_staff,
        "is_active": is_active,
    }
    for field, value in changes.items():
        if value is not None:
            setattr(user, field, value)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise InvalidUser(_messages(exc)) from exc
    user.save()
    return user


@transaction.atomic
def user_password_set(*, user: User, password: str | None) -> User:
    """Set ``password`` after Django's password validators, or make signing in impossible
    (``None``). API tokens are not affected."""
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise InvalidPassword(" ".join(exc.messages)) from exc
        user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete ``user`` and their tokens; their uploads stay (without an uploader)."""
    user.delete()


def tokens_list(*, user: User | None = None, include_inactive: bool = False) -> list[ApiToken]:
    """Tokens (never their secret), newest first: active ones unless ``include_inactive``."""
    tokens = ApiToken.objects.select_related("user").order_by("-created", "-pk")
    tokens = tokens.filter(user=user) if user else tokens
    return [t for t in tokens if include_inactive or t.is_active]


@transaction.atomic
def tokens_revoke(*, prefix: str) -> list[ApiToken]:
    """Revoke the not yet revoked tokens starting with ``prefix`` (its first 8 characters)."""
    tokens = list(
        ApiToken.objects.filter(prefix=prefix[:TOKEN_PREFIX_LENGTH], revoked_at__isnull=True)
    )
    if len(prefix) < TOKEN_PREFIX_LENGTH or not tokens:
        raise UnknownToken(f"No active token starts with {prefix[:TOKEN_PREFIX_LENGTH]!r}.")
    for token in tokens:
        token_revoke(token=token)
    return tokens


def _messages(exc: ValidationError) -> str:
    """A validation error as one sentence per field, never Django's ``__all__``."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for field, messages in exc.message_dict.items():
        text = " ".join(messages)
        parts.append(text if field == "__all__" else f"{field.replace('_', ' ')}: {text}")
    return "; ".join(parts)


@transaction.atomic
def token_rotate(*, prefix: str) -> tuple[IssuedToken, list[ApiToken]]:
    """Issue a token for the same user and name (and as long a validity, when it expires) and
    revoke the tokens starting with ``prefix``: scripts switch to the new secret."""
    old = tokens_revoke(prefix=prefix)
    first = old[0]
    expires = None
    if first.expires_at is not None:
        expires = timezone.now() + (first.expires_at - first.created)
    return token_create(user=first.user, name=first.name, expires_at=expires), old
