from django.urls import path

from sluis.uploads.api import data_sources, views

urlpatterns = [
    path("data_sources/", data_sources.DataSourceListView.as_view(), name="data-source-list"),
    path("sync_tasks/<int:pk>/upload/", views.UploadReceiveView.as_view(), name="upload-receive"),
    path(
        "sync_tasks/<int:pk>/uploads/",
        views.SyncTaskUploadListView.as_view(),
        name="sync-task-uploads",
    ),
    path("uploads/", views.LegacyUploadView.as_view(), name="upload-legacy"),
    path("uploads/<int:pk>/", views.UploadDetailView.as_view(), name="upload-detail"),
    path("uploads/<int:pk>/original/", views.UploadOriginalView.as_view(), name="upload-original"),
]
