from django.urls import path

from sluis.ops.views import HealthView, MetricsView, ReadyView

urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("ready/", ReadyView.as_view(), name="ready"),
    path("metrics/", MetricsView.as_view(), name="metrics"),
]
