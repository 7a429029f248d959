"""allauth's OpenID Connect addresses, served by our views (allauth loads this module in
place of its own because the provider class lives in this package)."""

from allauth.socialaccount import app_settings
from django.urls import include, path

from accounts.sso import views

urlpatterns = [
    path(
        "<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
