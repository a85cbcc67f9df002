from django.urls import path

from sluis.catalog.api import views

urlpatterns = [
    path("sync_tasks/", views.SyncTaskListView.as_view(), name="sync-task-list"),
    path("sync_tasks_new/", views.SyncTaskListView.as_view(), name="sync-task-list-new"),
    path("sync_tasks/<int:pk>/", views.SyncTaskDetailView.as_view(), name="sync-task-detail"),
]
