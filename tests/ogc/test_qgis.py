"""QGIS (Debian's ``qgis``, run headless through PyQGIS) loads a collection as an OAPIF layer."""

import shutil

import pytest

from tests.ogc.clients import run_python

pytestmark = pytest.mark.django_db(transaction=True)

SYSTEM_PYTHON = "/usr/bin/python3"
LOAD = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import QgsApplication, QgsVectorLayer
QgsApplication.setPrefixPath("/usr", True)  # without it no data provider is loaded
app = QgsApplication([], False)
app.initQgis()
url, collection = sys.argv[1], sys.argv[2]
layer = QgsVectorLayer(f"url='{url}' typename='{collection}'", "stations", "OAPIF")
features = list(layer.getFeatures()) if layer.isValid() else []
points = sorted([f.geometry().asPoint().x(), f.geometry().asPoint().y()] for f in features
                if f.hasGeometry() and f.geometry().type() == 0)
print(json.dumps({"valid": layer.isValid(), "count": len(features), "points": points}),
      flush=True)
os._exit(0)  # exitQgis() may crash on shutdown headless; the answer is already out
"""


def test_qgis_loads_a_collection_as_a_layer(live_server, consumer, stations):
    if shutil.which("qgis_process") is None:
        pytest.fail("QGIS is missing: run scripts/install-system-packages (Debian qgis)")
    url = f"{live_server.url}/api/v1/ogc?token={consumer.token}"
    result = run_python(LOAD, url, str(stations.pk), python=SYSTEM_PYTHON, timeout=180)
    assert result["valid"]
    assert result["count"] == 7
    assert result["points"] == [[4.0 + i, 52.0] for i in range(5)]
