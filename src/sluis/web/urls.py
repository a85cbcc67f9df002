"""The supplier pages, served at the site root, and the API documentation pages under ``/api/v1/``.

Sign-in, password change and password reset are Django's own views with our templates.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, reverse_lazy
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from sluis.web import views
from sluis.web.security import with_page_headers


def _auth(view_class, template: str, **options):
    """One of Django's auth views with our template and the pages' headers."""
    return with_page_headers(view_class.as_view(template_name=f"web/{template}", **options))


# Swagger UI and ReDoc come from drf-spectacular-sidecar's pinned copies, served as our own static
# files (SPECTACULAR_SETTINGS): the documentation works on a server without internet, under the
# pages' Content-Security-Policy (the split view loads its start-up script from our origin).
swagger = SpectacularSwaggerSplitView.as_view(url_name="openapi")
redoc = SpectacularRedocView.as_view(url_name="openapi", template_name="web/redoc.html")

urlpatterns = [
    path("api/v1/docs/", with_page_headers(swagger), name="api-docs"),
    path("api/v1/redoc/", with_page_headers(redoc), name="api-redoc"),
    path("", views.sources, name="web-sources"),
    path("sources/<int:task_id>/", views.source, name="web-source"),
    path("sources/<int:task_id>/history/", views.history, name="web-history"),
    path("sources/<int:task_id>/example/", views.example, name="web-example"),
    path("sources/<int:task_id>/map.geojson", views.vector_map, name="web-map"),
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
        _auth(
            auth_views.LoginView,
            "login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("web-sources"),
        ),
        name="web-login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="web-login"), name="web-logout"),
    path(
        "password/",
        login_required(
            _auth(
                auth_views.PasswordChangeView,
                "password_change.html",
                success_url=reverse_lazy("web-password-changed"),
            ),
            login_url="web-login",
        ),
        name="web-password-change",
    ),
    path(
        "password/changed/",
        login_required(
            _auth(auth_views.PasswordChangeDoneView, "password_changed.html"),
            login_url="web-login",
        ),
        name="web-password-changed",
    ),
    path(
        "password/reset/",
        _auth(
            auth_views.PasswordResetView,
            "password_reset.html",
            email_template_name="web/email/password_reset.txt",
            subject_template_name="web/email/password_reset_subject.txt",
            success_url=reverse_lazy("web-password-reset-sent"),
        ),
        name="web-password-reset",
    ),
    path(
        "password/reset/sent/",
        _auth(auth_views.PasswordResetDoneView, "password_reset_sent.html"),
        name="web-password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        _auth(
            auth_views.PasswordResetConfirmView,
            "password_reset_confirm.html",
            success_url=reverse_lazy("web-password-reset-done"),
        ),
        name="web-password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        _auth(auth_views.PasswordResetCompleteView, "password_reset_done.html"),
        name="web-password-reset-done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "jsi18n/",
        with_page_headers(JavaScriptCatalog.as_view(packages=["sluis.web"])),
        name="web-jsi18n",
    ),
]
