"""What the cohort pages and their CSV exports show, computed once here so that the screen
and the download always agree and the templates hold no logic.

- ``grid``: the learners × modules grid (the dashboard and its download);
- ``learner``: one learner's progress and answers;
- ``items``: the question analysis (the page, a question's page and the download);
- ``report``: the board report, with small numbers hidden (the page and the download);
- ``chart``: cohort completion over time;
- ``pagination``: GOV.UK pagination for any page of results;
- ``tabs``: the links between a cohort's pages;
- ``formatting``: figures and dates as the pages write them.
"""

from cohorts.presenters.grid import dashboard_page, grid_export_rows, shown_modules
from cohorts.presenters.items import ITEM_HEADER, item_export_rows, item_page, items_page
from cohorts.presenters.learner import learner_page
from cohorts.presenters.pagination import page_numbers, pagination
from cohorts.presenters.report import report_csv_rows, report_for, report_page

__all__ = [
    "ITEM_HEADER",
    "dashboard_page",
    "grid_export_rows",
    "item_export_rows",
    "item_page",
    "items_page",
    "learner_page",
    "page_numbers",
    "pagination",
    "report_csv_rows",
    "report_for",
    "report_page",
    "shown_modules",
]
