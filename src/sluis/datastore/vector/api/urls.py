from django.urls import path

from sluis.datastore.vector.api import views

urlpatterns = [
    path("features/", views.FeatureListView.as_view(), name="feature-list"),
    path("features/<int:pk>/", views.FeatureDetailView.as_view(), name="feature-detail"),
]
