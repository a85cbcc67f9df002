"""``sluis demo``: a demo organization, a supplier, a consumer and one source of each kind.

The supplier also gets a fresh web password on every run, so the upload pages can be tried at
``/login/`` (the consumer gets tokens only: the pages are for uploading).
"""

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from sluis.accounts.models import User
from sluis.accounts.services import organization_get_or_create, token_create, user_create
from sluis.catalog.services import data_source_get_or_create

DEMO_ORG = "Demo Organization"
DEMO_SOURCES = {
    "timeseries": "Demo water levels",
    "vector": "Demo assets",
    "raster": "Demo evaporation",
    "file": "Demo photos",
}


@dataclass
class DemoResult:
    base_url: str
    organization: str
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    sync_tasks: dict[str, int] = field(default_factory=dict)
    data_sources: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@transaction.atomic
def demo_setup(*, base_url: str | None = None) -> DemoResult:
    """Create the demo (idempotently) and issue fresh tokens for its two users."""
    org = organization_get_or_create(name=DEMO_ORG)
    result = DemoResult(base_url=base_url or default_base_url(), organization=org.name)
    roles = {"supplier": {"data_supplier": True}, "consumer": {"data_consumer": True}}
    for role, flags in roles.items():
        user = _demo_user(org, role, flags)
        result.users[role] = {
            "username": user.username,
            "token": token_create(user=user, name="demo").secret,
        }
        if role == "supplier":
            result.users[role]["password"] = _fresh_password(user)
    for kind, name in DEMO_SOURCES.items():
        created = data_source_get_or_create(
            owner=org, name=name, kind=kind, uploadable=True, description=f"Demo {kind} data source"
        )
        result.sync_tasks[kind] = created.sync_task.pk
        result.data_sources[kind] = created.data_source.pk
    return result


def _demo_user(org, role: str, flags: dict) -> User:
    username = f"demo-{role}"
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    return user_create(
        username=username, organization=org, display_name=f"Demo {role.capitalize()}", **flags
    )


def _fresh_password(user: User) -> str:
    """A new random web password for ``user``; like the tokens, it is printed once."""
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


def default_base_url() -> str:
    """``SLUIS_PUBLIC_URL``, else the address ``sluis serve`` listens on by default."""
    return settings.SLUIS_PUBLIC_URL.rstrip("/") or f"http://127.0.0.1:{settings.SLUIS_PORT}"


def demo_text(result: dict) -> str:
    api = f"{result['base_url']}/api/v1"
    supplier = result["users"]["supplier"]["token"]
    lines = [
        f"Demo organization: {result['organization']}",
        f"Supplier token:  {supplier}",
        f"Consumer token:  {result['users']['consumer']['token']}",
        "Sync tasks: " + ", ".join(f"{k}={v}" for k, v in result["sync_tasks"].items()),
        f"Web login:       {result['base_url']}/login/ as "
        f"{result['users']['supplier']['username']} / {result['users']['supplier']['password']}",
        "",
        "Try:",
        f'  curl "{api}/sync_tasks/?uploadable=true&token={supplier}"',
        f'  curl -F "upload_file=@measurements.csv" '
        f'"{api}/sync_tasks/{result["sync_tasks"]["timeseries"]}/upload/?token={supplier}"',
    ]
    return "\n".join(lines)
