from django.urls import path
from django.views.generic import TemplateView

from courses import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.catalogue, name="catalogue"),
    path("courses/<slug:course>/", views.course, name="course"),
    path("courses/<slug:course>/glossary/", views.glossary, name="glossary"),
    path("courses/<slug:course>/datasets/<slug:dataset>/", views.dataset, name="dataset"),
    path(
        "courses/<slug:course>/datasets/<slug:dataset>.csv", views.dataset_csv, name="dataset_csv"
    ),
    path("courses/<slug:course>/charts/<slug:chart>.csv", views.chart_csv, name="chart_csv"),
    path("courses/<slug:course>/<slug:module>/<slug:lesson>/", views.lesson, name="lesson"),
    path(
        "courses/<slug:course>/<slug:module>/<slug:lesson>/read", views.mark_read, name="mark_read"
    ),
]

site_urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accessibility",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
]
