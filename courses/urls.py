from django.urls import path
from django.views.generic import TemplateView

from courses import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accessibility",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
]
