from django.urls import path

from sluis.datastore.vector.api import tiles, views

urlpatterns = [
    path("features/", views.FeatureListView.as_view(), name="feature-list"),
    path("features/<int:pk>/", views.FeatureDetailView.as_view(), name="feature-detail"),
    path(
        "tiles/<int:data_source>/<int:z>/<int:x>/<int:y>.mvt",
        tiles.VectorTileView.as_view(),
        name="vector-tile",
    ),
    path("tiles/<int:data_source>.json", tiles.TileJsonView.as_view(), name="vector-tilejson"),
]
