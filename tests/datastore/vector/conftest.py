import pytest


@pytest.fixture
def vector_source(make_source):
    return make_source(name="Parcels", kind="vector").data_source
