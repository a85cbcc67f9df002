"""The test cast: organizations, users in every role, and API clients for them.

- ``supplier``: Data Supplier of ``org`` (may upload to org's sources)
- ``consumer``: Data Consumer of ``org`` (may read, not upload)
- ``outsider``: Data Supplier of ``other_org``
- ``admin``: platform administrator (Django staff)
"""

import pytest
from rest_framework.test import APIClient

from sluis.accounts.services import organization_get_or_create, token_create, user_create
from sluis.catalog.services import data_source_create
from tests.browser import chromium  # noqa: F401  (one headless Chromium for all browser tests)


@pytest.fixture
def org(db):
    return organization_get_or_create(name="Waterboard North")


@pytest.fixture
def other_org(db):
    return organization_get_or_create(name="City South")


def _user(name, org, **roles):
    user = user_create(username=name, organization=org, display_name=name.title(), **roles)
    user.token = token_create(user=user).secret
    return user


@pytest.fixture
def supplier(org):
    return _user("supplier", org, data_supplier=True)


@pytest.fixture
def consumer(org):
    return _user("consumer", org, data_consumer=True)


@pytest.fixture
def outsider(other_org):
    return _user("outsider", other_org, data_supplier=True)


@pytest.fixture
def admin_user(db):
    return _user("admin", None, is_staff=True)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def make_source(org):
    """Create a data source with its sync task; returns the ``CreatedSource``."""

    def make(name="Levels", kind="timeseries", owner=None, **fields):
        fields.setdefault("uploadable", True)
        return data_source_create(owner=owner or org, name=name, kind=kind, **fields)

    return make
