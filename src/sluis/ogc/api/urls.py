from django.urls import re_path

from sluis.ogc.api import features, wfs, wms

# OGC API paths have no trailing slash; a trailing one is accepted as well.
urlpatterns = [
    re_path(r"^wfs/$", wfs.WfsView.as_view(), name="wfs"),
    re_path(r"^wms/$", wms.WmsView.as_view(), name="wms"),
    re_path(r"^ogc/?$", features.LandingView.as_view(), name="ogc-landing"),
    re_path(r"^ogc/conformance/?$", features.ConformanceView.as_view(), name="ogc-conformance"),
    re_path(r"^ogc/collections/?$", features.CollectionsView.as_view(), name="ogc-collections"),
    re_path(
        r"^ogc/collections/(?P<collection_id>[^/]+)/?$",
        features.CollectionView.as_view(),
        name="ogc-collection",
    ),
    re_path(
        r"^ogc/collections/(?P<collection_id>[^/]+)/items/?$",
        features.ItemsView.as_view(),
        name="ogc-items",
    ),
    re_path(
        r"^ogc/collections/(?P<collection_id>[^/]+)/items/(?P<feature_id>\d+)/?$",
        features.ItemView.as_view(),
        name="ogc-item",
    ),
]
