"""Organizations, users with their roles, and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Organization(models.Model):
    """A party that owns data sources; its ``name`` is shown as ``owner`` in the API."""

    name = models.CharField(max_length=200, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person or script. Roles are independent: neither implies the other.

    ``data_supplier`` allows uploads to the organization's data sources; ``data_consumer`` allows
    reading their stored data through the API. Platform administrators are Django staff.
    """

    display_name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    is_data_supplier = models.BooleanField("data supplier", default=False)
    is_data_consumer = models.BooleanField("data consumer", default=False)

    @property
    def shown_name(self) -> str:
        """The name shown as ``uploader``."""
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored; the token itself is shown once at creation.

    ``prefix`` (the first characters of the token) is kept in clear so a token can be recognised
    in lists and looked up before the constant-time hash comparison.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class TokenFailure(models.Model):
    """Failed token attempts of one client address in one fixed time window.

    Kept in the database so that every web process (and every machine behind the proxy) counts
    the same attempts; rows of past windows are removed as new failures arrive.
    """

    address = models.CharField(max_length=64)
    window = models.BigIntegerField(help_text="start of the window, in seconds since the epoch")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "window"], name="token_failure_window")
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.count} failed token attempts"
