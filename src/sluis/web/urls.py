"""The supplier pages, served at the site root (``/api/v1/`` and ``/admin/`` stay as they are)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from sluis.web import views
from sluis.web.security import with_page_headers

urlpatterns = [
    path("", views.sources, name="web-sources"),
    path("sources/<int:task_id>/", views.source, name="web-source"),
    path("sources/<int:task_id>/history/", views.history, name="web-history"),
    path("tokens/", views.tokens, name="web-tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="web-token-revoke"),
    path("webhooks/", views.webhooks, name="web-webhooks"),
    path(
        "webhooks/<int:webhook_id>/<str:action>/",
        views.webhook_change,
        name="web-webhook-change",
    ),
    path(
        "login/",
        with_page_headers(
            auth_views.LoginView.as_view(
                template_name="web/login.html",
                redirect_authenticated_user=True,
                next_page=reverse_lazy("web-sources"),
            )
        ),
        name="web-login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="web-login"), name="web-logout"),
]
