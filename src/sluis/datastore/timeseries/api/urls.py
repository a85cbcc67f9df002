from django.urls import path

from sluis.datastore.timeseries.api import views

urlpatterns = [
    path("timeseries/", views.SeriesListView.as_view(), name="timeseries-list"),
    path("events/", views.EventListView.as_view(), name="event-list"),
]
