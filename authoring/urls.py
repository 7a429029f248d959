"""The authoring area: /author/. Every address under a course starts with its slug and goes
through authoring.access.workspace_for, so that people without a role on the course get 404."""

from django.urls import path

from authoring.views import charts, courses, datasets, exercises, lessons, people, preview, versions

app_name = "authoring"

C = "<slug:course>/"

urlpatterns = [
    path("", courses.home, name="home"),
    path("new/", courses.create, name="create"),
    path("import/", versions.import_new, name="import_new"),
    path(C, courses.overview, name="overview"),
    path(C + "details/", courses.details, name="details"),
    # Modules and lessons
    path(C + "modules/new/", lessons.module_create, name="module_create"),
    path(C + "modules/<slug:module>/", lessons.module_edit, name="module_edit"),
    path(C + "modules/<slug:module>/move/", lessons.module_move, name="module_move"),
    path(C + "modules/<slug:module>/delete/", lessons.module_delete, name="module_delete"),
    path(C + "modules/<slug:module>/lessons/new/", lessons.lesson_create, name="lesson_create"),
    path(C + "modules/<slug:module>/<slug:lesson>/", lessons.lesson_edit, name="lesson_edit"),
    path(C + "modules/<slug:module>/<slug:lesson>/move/", lessons.lesson_move, name="lesson_move"),
    path(
        C + "modules/<slug:module>/<slug:lesson>/delete/",
        lessons.lesson_delete,
        name="lesson_delete",
    ),
    path(C + "preview/", preview.lesson_preview, name="preview"),
    # Glossary
    path(C + "glossary/", lessons.glossary, name="glossary"),
    path(C + "glossary/new/", lessons.term_create, name="term_create"),
    path(C + "glossary/<slug:term>/", lessons.term_edit, name="term_edit"),
    path(C + "glossary/<slug:term>/delete/", lessons.term_delete, name="term_delete"),
    # Datasets
    path(C + "datasets/", datasets.dataset_list, name="datasets"),
    path(C + "datasets/new/", datasets.dataset_upload, name="dataset_upload"),
    path(C + "datasets/<slug:dataset>/", datasets.dataset_edit, name="dataset_edit"),
    path(C + "datasets/<slug:dataset>/data/", datasets.dataset_replace, name="dataset_replace"),
    path(C + "datasets/<slug:dataset>/delete/", datasets.dataset_delete, name="dataset_delete"),
    # Charts
    path(C + "charts/", charts.chart_list, name="charts"),
    path(C + "charts/new/", charts.chart_create, name="chart_create"),
    path(C + "charts/preview/", charts.chart_preview, name="chart_preview"),
    path(C + "charts/<slug:chart>/", charts.chart_edit, name="chart_edit"),
    path(C + "charts/<slug:chart>/delete/", charts.chart_delete, name="chart_delete"),
    # Exercises
    path(C + "exercises/", exercises.exercise_list, name="exercises"),
    path(C + "exercises/new/", exercises.exercise_create, name="exercise_create"),
    path(C + "exercises/<slug:exercise>/", exercises.exercise_edit, name="exercise_edit"),
    path(
        C + "exercises/<slug:exercise>/delete/", exercises.exercise_delete, name="exercise_delete"
    ),
    # Publishing and versions
    path(C + "publish/", versions.publish, name="publish"),
    path(C + "history/", versions.history, name="history"),
    path(C + "history/<int:number>/", versions.version, name="version"),
    path(C + "history/<int:number>/restore/", versions.restore, name="restore"),
    path(C + "history/<int:number>/export.zip", versions.export_version, name="export_version"),
    path(C + "export.zip", versions.export_draft, name="export_draft"),
    path(C + "import/", versions.import_draft, name="import_draft"),
    # People, comments and the audit trail
    path(C + "people/", people.people, name="people"),
    path(C + "people/<int:role>/remove/", people.remove, name="remove_person"),
    path(C + "comments/", people.comments, name="comments"),
    path(C + "comments/<int:comment>/resolve/", people.resolve_comment, name="resolve_comment"),
    path(C + "activity/", people.activity, name="activity"),
]
