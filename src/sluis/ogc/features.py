"""OGC API - Features documents (Part 1 Core, GeoJSON; Part 2 CRS), built from selector results.

No HTTP here: the views hand in an ``href`` function that turns paths into absolute URLs.
Feature bodies are assembled from the stored GeoJSON text (reprojected only for another CRS).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sluis.ogc.crs import CRS84, FEATURE_CRSS, Crs, geojson_in
from sluis.ogc.selectors import Extent, Layer

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
# (id, id_src, geometry, properties), as the vector read-back API selects them
FEATURE_FIELDS = ("id", "id_src", "geometry", "properties")

Href = Callable[..., str]  # href(path, **query) -> absolute URL keeping the caller's token


@dataclass(frozen=True)
class Page:
    """One page of items: ``offset``/``limit`` asked, ``matched`` in all, ``rows`` returned."""

    rows: Sequence[Sequence[Any]]
    offset: int
    limit: int
    matched: int


def landing_page(*, href: Href, title: str, openapi_url: str) -> dict:
    return {
        "title": title,
        "description": "Vector data sources of Sluis as OGC API - Features collections.",
        "links": [
            _link(href(""), "self", JSON, "This document"),
            _link(openapi_url, "service-desc", OPENAPI, "The API definition"),
            _link(href("conformance"), "conformance", JSON, "Conformance classes"),
            _link(href("collections"), "data", JSON, "The collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": list(CONFORMANCE)}


def collections_document(*, href: Href, layers: Iterable[tuple[Layer, Extent]]) -> dict:
    return {
        "links": [_link(href("collections"), "self", JSON, "The collections")],
        "collections": [
            collection_document(href=href, layer=lay, extent=ext) for lay, ext in layers
        ],
        "crs": [crs.uri for crs in FEATURE_CRSS],
    }


def collection_document(*, href: Href, layer: Layer, extent: Extent) -> dict:
    source = layer.source
    base = f"collections/{layer.pk}"
    document: dict[str, Any] = {
        "id": str(layer.pk),
        "title": source.name,
        "description": source.description,
        "keywords": [layer.alias, source.owner.name],
        "itemType": "feature",
        "crs": [crs.uri for crs in FEATURE_CRSS],
        "storageCrs": CRS84.uri,
        "links": [
            _link(href(base), "self", JSON, source.name),
            _link(href(f"{base}/items"), "items", GEOJSON, "The features"),
        ],
    }
    spatial = {"bbox": [list(extent.bbox)], "crs": CRS84.uri} if extent.bbox else None
    document["extent"] = {"spatial": spatial} if spatial else {}
    if extent.start is not None:
        document["extent"]["temporal"] = {
            "interval": [[_time(extent.start), _time(extent.end)]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return document


def items_document(*, href: Href, layer: Layer, page: Page, crs: Crs, query: dict) -> str:
    """The items page as GeoJSON text, with ``next``/``prev`` links that keep ``query``."""
    base = f"collections/{layer.pk}/items"
    links = [_link(href(base, **query, offset=page.offset, limit=page.limit), "self", GEOJSON)]
    if page.offset + len(page.rows) < page.matched:
        after = page.offset + page.limit
        links.append(_link(href(base, **query, offset=after, limit=page.limit), "next", GEOJSON))
    if page.offset > 0:
        before = max(page.offset - page.limit, 0)
        links.append(_link(href(base, **query, offset=before, limit=page.limit), "prev", GEOJSON))
    links.append(_link(href(f"collections/{layer.pk}"), "collection", JSON, layer.source.name))
    features = ",".join(feature_text(row, crs) for row in page.rows)
    head = {
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": len(page.rows),
        "timeStamp": _time(datetime.now(UTC)),
        "links": links,
    }
    return json.dumps(head)[:-1] + f',"features":[{features}]}}'


def item_document(*, href: Href, layer: Layer, row: Sequence[Any], crs: Crs) -> str:
    base = f"collections/{layer.pk}"
    links = [
        _link(href(f"{base}/items/{row[0]}"), "self", GEOJSON),
        _link(href(base), "collection", JSON, layer.source.name),
    ]
    return feature_text(row, crs)[:-1] + f',"links":{json.dumps(links)}}}'


def feature_text(row: Sequence[Any], crs: Crs) -> str:
    """A stored feature as GeoJSON text; ``id_src`` is kept as a foreign member."""
    pk, id_src, geometry, properties = row
    return (
        f'{{"type":"Feature","id":{int(pk)},"id_src":{json.dumps(id_src)},'
        f'"geometry":{geojson_in(geometry, crs)},"properties":{properties}}}'
    )


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")
