from django.urls import path

from sluis.datastore.rasters.api import views

urlpatterns = [
    path("rasters/", views.RasterListView.as_view(), name="raster-list"),
    path("rasters/values/", views.RasterValuesView.as_view(), name="raster-values"),
    path("rasters/<int:pk>/", views.RasterDetailView.as_view(), name="raster-detail"),
    path("rasters/<int:pk>/download/", views.RasterDownloadView.as_view(), name="raster-download"),
    path("rasters/<int:pk>/value/", views.RasterValueView.as_view(), name="raster-value"),
    path("rasters/<int:pk>/preview.png", views.RasterPreviewView.as_view(), name="raster-preview"),
]
