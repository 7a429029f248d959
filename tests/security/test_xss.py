"""Hostile text in every field people fill, shown in Chromium to everyone who sees it again.

A copy of the small test course is written with the corpus (tests/security/xss_corpus.py) in
every title, summary, Markdown body, glossary term, dataset description, CSV cell, chart and
exercise text, and imported the way courses arrive; learners with hostile names answer
questions in hostile words, a tutor marks them with a hostile comment, a cohort and its groups
carry hostile names, and an author leaves a hostile comment. Each page is then opened as the
person who would see it, and the test checks that nothing ran (no dialog, no marker), that no
element carries an event handler or a script address, and that the page kept to its Content
Security Policy (the ``page`` fixture fails on any violation).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.roles import TUTORS_GROUP
from authoring import services as authoring_services
from authoring.models import CourseRole, Role, Workspace
from cohorts import services as cohort_services
from cohorts.models import Cohort, Membership
from courses import services as course_services
from courses.models import Course, Lesson
from exercises import services as exercise_services
from exercises.models import Exercise, Submission
from progress import services as progress_services
from progress.models import Certificate
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.conftest import MINI_COURSE
from tests.progress.helpers import answer, complete
from tests.security import xss_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# PostgreSQL refuses NUL in text; the fuzz (test_fuzz.py) sends it through the forms instead.
HTML = [p.replace("\x00", "") for p in xss_corpus.HTML]
ALL = [p.replace("\x00", "") for p in xss_corpus.ALL]

# Runs in the page after it loads: everything a successful injection would leave behind.
INSPECT = """() => {
  const found = [];
  if (window.__xss) found.push("window.__xss was set");
  const bad = /^(javascript|vbscript|data):/i;
  const urlish = ["href", "src", "action", "formaction", "data", "xlink:href", "poster",
                  "background", "srcdoc", "lowsrc"];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "");
      if (name.startsWith("on")) found.push(`${element.tagName} has ${name}="${attribute.value}"`);
      if (name === "srcdoc") found.push(`${element.tagName} has srcdoc`);
      if (urlish.includes(name) && bad.test(value) && !value.startsWith("data:image/")) {
        found.push(`${element.tagName} ${name}="${attribute.value}"`);
      }
    }
    if (element.tagName === "SCRIPT" && !element.src
        && element.type !== "application/json" && !element.nonce) {
      found.push(`an inline script without the page's nonce: ${element.textContent.slice(0, 80)}`);
    }
    if (["IFRAME", "OBJECT", "EMBED", "BASE"].includes(element.tagName)) {
      found.push(`an injected ${element.tagName}`);
    }
  }
  return found;
}"""


# --- The hostile course -------------------------------------------------------------------
class _Payloads:
    """Hands out the corpus's HTML payloads in turn, so each short field gets a different one."""

    def __init__(self) -> None:
        self.count = 0

    def one(self) -> str:
        self.count += 1
        return HTML[self.count % len(HTML)]

    @staticmethod
    def paragraphs() -> str:
        return "\n\n".join(ALL)

    @staticmethod
    def line() -> str:
        return " ".join(HTML)


def _front_matter(path: Path, changes: dict[str, Any], more_body: str) -> None:
    _, front, body = path.read_text().split("---\n", 2)
    data = yaml.safe_load(front)
    data.update(changes)
    path.write_text(f"---\n{yaml.safe_dump(data, allow_unicode=True)}---\n{body}\n\n{more_body}\n")


def _yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def write_hostile_course(folder: Path) -> Path:
    """A copy of the small test course with hostile text wherever an author can write."""
    root = folder / "hostile-course"
    shutil.copytree(MINI_COURSE, root)
    x = _Payloads()
    _front_matter(
        root / "course.md",
        {"title": x.one(), "summary": x.line(), "audience": x.one(), "outcomes": [x.one()]},
        x.paragraphs(),
    )
    for module in sorted((root / "modules").iterdir()):
        _yaml(module / "module.yaml", lambda d: d.update(title=x.one(), summary=x.line()))
        for lesson in sorted(module.glob("*.md")):
            _front_matter(lesson, {"title": x.one(), "objectives": [x.one()]}, x.paragraphs())

    def glossary(terms: list[dict[str, Any]]) -> None:
        for term in terms:
            term.update(slug=term.get("slug") or term["term"].lower(), term=x.one())
            term["definition"] = x.paragraphs()

    _yaml(root / "glossary.yaml", glossary)

    def dataset(data: dict[str, Any]) -> None:
        data.update(title=x.one(), description=x.paragraphs(), source_organisation=x.one())
        data.update(licence=x.one(), data_date=x.one())
        data["source_url"] = 'https://example.org/"><img src=x onerror=alert(1)>'
        for column in data["columns"]:
            column["description"] = x.one()
        data["columns"][1]["unit"] = x.one()

    _yaml(root / "datasets" / "nile-sample.yaml", dataset)
    csv_path = root / "datasets" / "nile-sample.csv"
    rows = list(csv.reader(io.StringIO(csv_path.read_text())))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows([year, volume, x.one()] for year, volume, _ in rows[1:])
    csv_path.write_text(out.getvalue())

    for chart in sorted((root / "charts").glob("*.yaml")):
        _yaml(chart, lambda d: d.update(title=x.one(), summary=x.paragraphs(), source_note=x.one()))
    # A chart whose categories are the hostile text cells: they become axis labels and hovers.
    (root / "charts" / "nile-notes.yaml").write_text(
        yaml.safe_dump(
            {"title": x.one(), "dataset": "nile-sample", "type": "bar", "x": "note",
             "y": "volume", "summary": x.line()},
            allow_unicode=True,
        )
    )  # fmt: skip
    lesson = root / "modules" / "01-first-steps" / "02-data.md"
    lesson.write_text(lesson.read_text() + "\n{{ chart: nile-notes }}\n")

    def exercise(data: dict[str, Any]) -> None:
        placeholder = "\n\n{value}" if "{value}" in data["prompt"] else ""
        data.update(title=x.one(), prompt=x.paragraphs() + placeholder)
        data["explanation"] = x.paragraphs()
        if "hints" in data:
            data["hints"] = [x.one(), x.one()]
        for option in data.get("options", []):
            option.update(text=x.one(), feedback=x.one())
        for item in data.get("rubric", []):
            item["criterion"] = x.one()
        for mistake in data.get("mistakes", []):
            mistake["feedback"] = x.one()
        if "items" in data:
            data["items"] = [x.one() for _ in data["items"]]
        for key in ("feedback", "unit"):
            if key in data:
                data[key] = x.one()

    for path in sorted((root / "exercises").glob("*.yaml")):
        _yaml(path, exercise)
    return root


@dataclass
class World:
    course: Course
    workspace: Workspace
    cohort: Cohort
    learner: Any
    marked: Any  # a learner whose written answer a tutor has marked
    facilitator: Any
    author: Any
    admin: Any
    waiting: Submission  # a written answer waiting for a tutor
    certificate: Certificate
    emails: list[str]  # the HTML of the invitation emails


def exercise(course: Course, slug: str) -> Exercise:
    return Exercise.objects.select_related("course").get(course=course, slug=slug)


def person(**values: Any) -> Any:
    """Someone who only ever signs in by session here: no slow password hashing."""
    return UserFactory(password="!", **values)


def build_world(folder: Path) -> World:
    course = course_services.import_course(path=write_hostile_course(folder))
    x = _Payloads()
    admin = person(is_staff=True, is_superuser=True, mfa=True)
    author = person(author=True, mfa=True, first_name=x.one(), last_name=x.one())
    workspace = authoring_services.workspace_for_course(course=course, actor=author)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.OWNER)
    CourseRole.objects.create(workspace=workspace, user=admin, role=Role.REVIEWER)
    authoring_services.add_comment(
        workspace=workspace, author=author, about="course.md", text=x.paragraphs()
    )
    facilitator = person(mfa=True, first_name=x.one(), last_name=x.one())
    tutor_group, _ = Group.objects.get_or_create(name=TUTORS_GROUP)
    cohort = CohortFactory(course=course, name=x.one(), facilitators=[facilitator])

    learners = [person(first_name=x.one(), last_name=x.one()) for _ in range(4)]
    learner, marked = learners[0], learners[1]
    for someone in learners:
        MembershipFactory(cohort=cohort, learner=someone, group=x.one()[:100])
    MembershipFactory(cohort=cohort, email="not.yet@example.gov.uk", group=x.one()[:100])
    # Invitations the learner (and someone new) have not answered yet: the cohort's name is on
    # the learner's home page, and in the emails with the inviter's name.
    invited_to = CohortFactory(course=course, name=x.one())
    for email in (learner.email, "new.person@example.gov.uk"):
        cohort_services.invite_learner(cohort=invited_to, email=email, invited_by=facilitator)
    cohort_services.send_invitation_emails(
        membership_ids=list(
            Membership.objects.filter(cohort=invited_to).values_list("pk", flat=True)
        )
    )
    emails = [
        str(content)
        for message in mail.outbox
        for content, kind in getattr(message, "alternatives", [])
        if kind == "text/html"
    ]

    written = exercise(course, "what-is-noise")
    sql = exercise(course, "wet-years")
    for someone in learners:
        submission = exercise_services.submit_answer(
            learner=someone, exercise=written, answer={"text": " ".join(HTML[:12])}, confidence=None
        )
        exercise_services.grade_submission(submission_id=submission.pk)
        answered = exercise_services.submit_answer(
            learner=someone, exercise=sql, answer={"query": x.one()}, confidence=None
        )
        exercise_services.grade_submission(submission_id=answered.pk)
    # Answers that show the options' feedback and the explanation.
    answer(marked, exercise(course, "lowest-year"), {"choice": 0}, confidence=1)
    answer(marked, exercise(course, "flaws"), {"choices": [1]})
    answer(marked, exercise(course, "order-years"), {"order": [3, 2, 1, 0]})
    to_mark = Submission.objects.get(learner=marked, exercise=written)
    exercise_services.mark_written_answer(
        submission=to_mark, tutor=admin, points=[2, 1], comment=x.paragraphs()
    )
    waiting = Submission.objects.get(learner=learner, exercise=written)

    # A query that fails is feedback, not an answer: this one counts, so the course completes.
    answer(marked, sql, {"query": "SELECT year FROM nile_sample WHERE volume > 1150"})
    complete(marked, course)
    certificate = progress_services.issue_certificate(learner=marked, course=course)
    assert certificate is not None
    del tutor_group
    return World(
        course=course, workspace=workspace, cohort=cohort, learner=learner, marked=marked,
        facilitator=facilitator, author=author, admin=admin, waiting=waiting,
        certificate=certificate, emails=emails,
    )  # fmt: skip


# --- Looking at pages ---------------------------------------------------------------------
class Visitor:
    """Opens pages in one Chromium tab as one person, and checks each for injected script."""

    def __init__(self, page: Any, live_server: Any) -> None:
        self.page = page
        self.live_server = live_server
        self.dialogs: list[str] = []
        self.seen: list[str] = []
        self.labels = 0  # hover labels plotly drew
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}({dialog.message!r}) on {self.page.url}")
        dialog.dismiss()

    def become(self, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.page.context.clear_cookies()
        self.page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.live_server.url,
                }
            ]
        )

    def open(self, url: str, *, shown: bool = False) -> None:
        """Open the page and check it; ``shown``: the hostile text must be on it, as text."""
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        self.check(url)
        if shown:
            text = self.page.inner_text("main")
            assert "alert(1)" in text or MARK in text, f"{url} shows none of the hostile text"

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        found = self.page.evaluate(INSPECT)
        assert not found, f"{where}: {found}"
        assert not self.dialogs, self.dialogs
        self.seen.append(where)

    def hover_charts(self) -> int:
        """Hover over the bars and points of every drawn chart, as plotly builds its hover
        labels (from the data's text) only then. Returns how many it hovered over."""
        hovered = 0
        drawn = self.page.locator(".app-chart__plot--drawn")
        for index in range(drawn.count()):
            for point in drawn.nth(index).locator("g.point, path.point").all()[:5]:
                point.hover(force=True)
                hovered += 1
                self.labels += self.page.locator(".hoverlayer .hovertext").count()
                self.check(f"{self.page.url} (hovering)")
        return hovered


MARK = xss_corpus.MARK


def lesson_urls(course: Course) -> list[str]:
    return [
        lesson.get_absolute_url()
        for lesson in Lesson.objects.filter(module__course=course).select_related("module__course")
    ]


def learners_pages(world: World, visitor: Visitor) -> None:
    course = world.course
    visitor.become(world.learner)
    visitor.open(reverse("home"))
    visitor.open(reverse("courses:catalogue"))
    visitor.open(course.get_absolute_url(), shown=True)
    visitor.open(reverse("courses:glossary", kwargs={"course": course.slug}))
    dataset = course.datasets.get()
    visitor.open(dataset.get_absolute_url(), shown=True)
    hovered = 0
    for url in lesson_urls(course):
        visitor.open(url)
        if visitor.page.locator(".app-chart__plot").count():
            visitor.page.wait_for_selector(".app-chart__plot--drawn")
            hovered += visitor.hover_charts()
    assert hovered >= 5 and visitor.labels, "no chart showed its hover labels"
    for item in Exercise.objects.filter(course=course).order_by("slug"):
        visitor.open(item.get_absolute_url())
    visitor.open(reverse("progress:overview"))
    visitor.open(reverse("progress:course", kwargs={"course": course.slug}))

    visitor.become(world.marked)
    for slug in ("what-is-noise", "lowest-year", "flaws", "order-years"):
        visitor.open(exercise(course, slug).get_absolute_url(), shown=True)
    visitor.open(reverse("progress:course", kwargs={"course": course.slug}))
    visitor.open(reverse("progress:my_certificate", kwargs={"course": course.slug}))
    visitor.page.context.clear_cookies()
    visitor.open(world.certificate.get_absolute_url(), shown=True)
    assert len(visitor.seen) >= 20


def invitation_emails(world: World, visitor: Visitor) -> None:
    """The HTML emails, opened as a mail client would show them (no page CSP to help)."""
    assert len(world.emails) == 2
    for html in world.emails:
        visitor.page.set_content(html)
        visitor.check("an invitation email")
        assert "alert(1)" in visitor.page.inner_text("body")


def facilitators_and_tutors_pages(world: World, visitor: Visitor) -> None:
    cohort, course = world.cohort, world.course
    membership = Membership.objects.get(cohort=cohort, learner=world.marked)
    visitor.become(world.facilitator)
    visitor.open(reverse("cohorts:list"), shown=True)
    visitor.open(cohort.get_absolute_url(), shown=True)
    visitor.page.wait_for_selector(".app-chart__plot--drawn")
    visitor.hover_charts()
    learner_page = reverse(
        "cohorts:learner", kwargs={"cohort": cohort.pk, "membership": membership.pk}
    )
    visitor.open(learner_page)
    for details in visitor.page.locator("details summary").all():
        details.click()
    visitor.check(f"{learner_page} (opened)")
    visitor.open(reverse("cohorts:items", kwargs={"cohort": cohort.pk}))
    for slug in ("what-is-noise", "wet-years", "lowest-year", "flaws"):
        visitor.open(reverse("cohorts:item", kwargs={"cohort": cohort.pk, "exercise": slug}))
    visitor.open(reverse("cohorts:report", kwargs={"cohort": cohort.pk}))

    visitor.become(world.admin)
    visitor.open(reverse("cohorts:learners", kwargs={"cohort": cohort.pk}), shown=True)
    visitor.open(reverse("cohorts:edit", kwargs={"cohort": cohort.pk}))
    visitor.open(reverse("marking:queue"))
    visitor.open(reverse("marking:errors"))
    visitor.open(reverse("marking:mark", kwargs={"submission": world.waiting.pk}), shown=True)
    del course


def authors_pages(world: World, visitor: Visitor) -> None:
    ws = world.workspace
    draft = ws.draft
    visitor.become(world.author)
    c = {"course": ws.slug}
    for name in ("overview", "details", "glossary", "datasets", "charts", "exercises",
                 "publish", "history", "people", "comments", "activity"):  # fmt: skip
        visitor.open(reverse(f"authoring:{name}", kwargs=c))
    module = draft.modules.order_by("position").first()
    visitor.open(reverse("authoring:module_edit", kwargs={**c, "module": module.slug}))
    for term in draft.glossary_terms.all():
        visitor.open(reverse("authoring:term_edit", kwargs={**c, "term": term.slug}))
    dataset = draft.datasets.get()
    visitor.open(reverse("authoring:dataset_edit", kwargs={**c, "dataset": dataset.slug}))
    for chart in draft.charts.all():
        visitor.open(reverse("authoring:chart_edit", kwargs={**c, "chart": chart.slug}))
    visitor.page.get_by_role("button", name="Preview").first.click()
    visitor.page.wait_for_timeout(500)
    visitor.check("chart preview")
    for item in draft.exercises.order_by("slug"):
        visitor.open(reverse("authoring:exercise_edit", kwargs={**c, "exercise": item.slug}))

    lesson = Lesson.objects.filter(module__course=draft).select_related("module").first()
    assert lesson is not None
    edit = reverse("authoring:lesson_edit", kwargs={**c, "module": lesson.module.slug,
                                                    "lesson": lesson.slug})  # fmt: skip
    visitor.open(edit)
    # The live preview (the editor's script) and the preview the form posts.
    body = visitor.page.locator("textarea").first
    body.fill(body.input_value() + "\n\n" + xss_corpus.line(HTML, separator="\n\n"))
    visitor.page.wait_for_timeout(1500)
    visitor.check("live preview")
    visitor.page.get_by_role("button", name="Preview").first.click()
    visitor.page.wait_for_load_state("load")
    visitor.check("posted preview")
    assert "alert(1)" in visitor.page.inner_text("main")

    # The draft as learners will see it, then published, as a learner sees it.
    visitor.open(draft.get_absolute_url())
    for url in lesson_urls(draft):
        visitor.open(url)
    # Publishing refuses images (the folder import lets them through): the author removes them.
    for lesson in Lesson.objects.filter(module__course=draft):
        lines = lesson.body.splitlines()
        lesson.body = "\n".join(line for line in lines if not line.startswith("!["))
        lesson.save()
    authoring_services.publish(workspace=ws, actor=world.author, note=HTML[1])
    visitor.open(reverse("authoring:history", kwargs=c))
    visitor.become(world.learner)
    for url in lesson_urls(world.course):
        visitor.open(url)


# One world for every page: building it (importing the hostile course, marking answers) takes
# most of the time, and the pages only read it until the last step publishes.
def test_hostile_text_never_runs_on_any_page_that_shows_it(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    world = build_world(tmp_path)
    visitor = Visitor(page, live_server)
    learners_pages(world, visitor)
    invitation_emails(world, visitor)
    facilitators_and_tutors_pages(world, visitor)
    authors_pages(world, visitor)
    assert len(visitor.seen) > 70


def test_the_inspection_finds_what_an_injection_leaves(browser: Any) -> None:
    """The checks above can fail: each kind of injection, planted directly, is reported."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            '<img src="data:image/png;base64,AA" alt="">'
            '<a href=" jav&#x09;ascript:void(0)">a</a><svg><a href="javascript:void(0)"></a></svg>'
            '<div onclick="void(0)">b</div><form action="vbscript:x"></form>'
            '<iframe srcdoc="x"></iframe><script>window.__xss = 1</script>'
        )
        found = page.evaluate(INSPECT)
    finally:
        context.close()
    assert "window.__xss was set" in found
    assert any(f.startswith("A href") for f in found), found
    assert sum("void(0)" in f and "href" in f for f in found) == 2, found
    assert any("onclick" in f for f in found), found
    assert any("vbscript" in f for f in found), found
    assert any("srcdoc" in f for f in found), found
    assert any("inline script" in f for f in found), found
    assert not any("data:image" in f for f in found), found
