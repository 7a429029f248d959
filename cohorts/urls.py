from django.urls import path

from cohorts.views import dashboard, invitations, manage, notifications

app_name = "cohorts"

urlpatterns = [
    # Running cohorts (admins; facilitators see their own).
    path("cohorts/", manage.cohort_list, name="list"),
    path("cohorts/new/", manage.cohort_create, name="create"),
    path("cohorts/<int:cohort>/edit/", manage.cohort_edit, name="edit"),
    path("cohorts/<int:cohort>/learners/", manage.learners, name="learners"),
    path("cohorts/<int:cohort>/learners/upload/", manage.upload_learners, name="upload"),
    path(
        "cohorts/<int:cohort>/learners/<int:membership>/remove/",
        manage.remove_learner,
        name="remove_learner",
    ),
    # A learner's answer to an invitation.
    path("cohorts/invitations/<int:membership>/join/", invitations.join, name="join"),
    path("cohorts/invitations/<int:membership>/decline/", invitations.decline, name="decline"),
    # What facilitators see.
    path("cohorts/<int:cohort>/", dashboard.dashboard, name="dashboard"),
    path(
        "cohorts/<int:cohort>/learners/<int:membership>/",
        dashboard.learner_detail,
        name="learner",
    ),
    path("cohorts/<int:cohort>/questions/", dashboard.item_analysis, name="items"),
    path("cohorts/<int:cohort>/questions/<slug:exercise>/", dashboard.item_detail, name="item"),
    path("cohorts/<int:cohort>/export/progress.csv", dashboard.export_grid, name="export_grid"),
    path("cohorts/<int:cohort>/export/questions.csv", dashboard.export_items, name="export_items"),
    # The aggregate report, for a wider audience: small groups suppressed.
    path("cohorts/<int:cohort>/report/", dashboard.report, name="report"),
    path("cohorts/<int:cohort>/export/report.csv", dashboard.export_report, name="export_report"),
    # Emails from scheduled jobs.
    path("emails/unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
]
