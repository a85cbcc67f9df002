from django.urls import path

from sluis.uploads.downloads import download

urlpatterns = [path("download/<str:signed>/", download, name="download")]
