from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import (
    SpectacularJSONAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from sluis.web.security import with_page_headers

# Swagger UI and ReDoc come from drf-spectacular-sidecar's pinned copies, served as our own static
# files (SPECTACULAR_SETTINGS): the documentation works on a server without internet, under the
# pages' Content-Security-Policy (the split view loads its start-up script from our origin).
swagger = SpectacularSwaggerSplitView.as_view(url_name="openapi")
redoc = SpectacularRedocView.as_view(url_name="openapi", template_name="web/redoc.html")

api: list[URLPattern | URLResolver] = [
    path("", include("sluis.catalog.api.urls")),
    path("", include("sluis.uploads.api.urls")),
    path("", include("sluis.uploads.urls")),
    path("", include("sluis.datastore.timeseries.api.urls")),
    path("", include("sluis.datastore.vector.api.urls")),
    path("", include("sluis.datastore.rasters.api.urls")),
    path("", include("sluis.datastore.files.api.urls")),
    path("", include("sluis.notifications.api.urls")),
    path("", include("sluis.ops.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", with_page_headers(swagger), name="api-docs"),
    path("redoc/", with_page_headers(redoc), name="api-redoc"),
]

urlpatterns = [
    path("api/v1/", include(api)),
    path("admin/", admin.site.urls),
    path("", include("sluis.web.urls")),
]

handler400 = "sluis.config.exceptions.bad_request"
handler403 = "sluis.config.exceptions.permission_denied"
handler404 = "sluis.config.exceptions.not_found"
handler500 = "sluis.config.exceptions.server_error"
