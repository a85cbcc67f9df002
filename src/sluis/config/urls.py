from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularJSONAPIView

from sluis.config.api_root import ApiRootView

api: list[URLPattern | URLResolver] = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("sluis.catalog.api.urls")),
    path("", include("sluis.uploads.api.urls")),
    path("", include("sluis.uploads.urls")),
    path("", include("sluis.datastore.timeseries.api.urls")),
    path("", include("sluis.datastore.vector.api.urls")),
    path("", include("sluis.datastore.rasters.api.urls")),
    path("", include("sluis.datastore.files.api.urls")),
    path("", include("sluis.notifications.api.urls")),
    path("", include("sluis.ogc.api.urls")),
    path("", include("sluis.ops.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
]

urlpatterns = [
    path("api/v1/", include(api)),
    path("admin/", admin.site.urls),
    # The API documentation pages (/api/v1/docs/, /api/v1/redoc/) are pages: sluis.web.urls.
    path("", include("sluis.web.urls")),
]

handler400 = "sluis.config.exceptions.bad_request"
handler403 = "sluis.config.exceptions.permission_denied"
handler404 = "sluis.config.exceptions.not_found"
handler500 = "sluis.config.exceptions.server_error"
