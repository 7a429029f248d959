from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import mfa
from courses.urls import site_urlpatterns
from masterclass import views

# Django admin signs in through allauth, so its rate limits (and MFA) apply.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Data Masterclass administration"
admin.site.site_title = "Data Masterclass"

urlpatterns = [
    path("", include(site_urlpatterns)),
    path("", include("exercises.urls")),
    path("marking/", include("exercises.marking_urls")),
    path("", include("courses.urls")),
    path("", include("progress.urls")),
    path("", include("cohorts.urls")),
    path("author/", include("authoring.urls")),
    path("audit/", include("audit.urls")),
    # Before allauth's own: removing a security key keeps the second factor a role needs.
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        mfa.remove_security_key,
        name="mfa_remove_webauthn",
    ),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("monitoring.urls")),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
handler429 = views.too_many_requests  # used by allauth's rate limits
