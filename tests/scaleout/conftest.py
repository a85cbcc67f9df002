"""The scale-out cluster (see ``cluster.py``): started once for the module, torn down whatever
happens; every process's log is kept in the test's temporary folder and printed on failure."""

import pytest

from tests.scaleout.cluster import Cluster
from tests.uploads.served import on_postgres

SETUP = """
import json
from sluis.accounts.services import organization_get_or_create, token_create, user_create
from sluis.catalog.services import data_source_create
org = organization_get_or_create(name="Waterboard Scale-out")
supplier = user_create(username="supplier", organization=org, data_supplier=True,
                       display_name="Data supplier")
consumer = user_create(username="consumer", organization=org, data_consumer=True)
kinds = {"timeseries": 3, "vector": 3, "raster": 2, "file": 3}
sources = {kind: [data_source_create(owner=org, name=f"{kind} {i}", kind=kind)
                  for i in range(count)] for kind, count in kinds.items()}
print(json.dumps({
    "supplier": token_create(user=supplier).secret,
    "consumer": token_create(user=consumer).secret,
    "sources": {kind: [{"task": s.sync_task.pk, "data_source": s.data_source.pk} for s in made]
                for kind, made in sources.items()},
}))
"""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not on_postgres():
        pytest.skip("needs PostgreSQL: runs in the `make test-postgres` pass")
    cluster = Cluster(tmp_path_factory.mktemp("scaleout"))
    try:
        cluster.start(SETUP)
    except BaseException:
        print(cluster.log_tails())
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(autouse=True)
def logs_on_failure(request, cluster):
    """Print the tail of every process's log when the test failed."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(cluster.log_tails())


@pytest.fixture
def workers(cluster):
    """Both app machines' ``sluis worker`` running for the test, stopped after it."""
    cluster.start_workers()
    yield cluster
    cluster.stop_workers()
