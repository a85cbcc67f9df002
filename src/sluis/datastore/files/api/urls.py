from django.urls import path

from . import views

urlpatterns = [
    path("files/", views.StoredFileListView.as_view(), name="file-list"),
    path("files/<int:pk>/", views.StoredFileDetailView.as_view(), name="file-detail"),
]
