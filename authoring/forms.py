"""Input for the authoring area: each form checks what its author typed, with messages
that say how to put it right."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db import models

from courses.content import markdown as md
from courses.models import SLUG_LENGTH

SLUG_HELP = (
    "Used in web addresses: lowercase letters, numbers and hyphens, for example "
    "reading-charts. Changing it on a published lesson or module starts it afresh for learners."
)


def check_slug(value: str) -> str:
    value = value.strip()
    if not md.SLUG_RE.match(value):
        raise forms.ValidationError(
            "Enter a short name of lowercase letters, numbers and hyphens, like reading-charts"
        )
    if len(value) > SLUG_LENGTH:
        raise forms.ValidationError(f"Short names are at most {SLUG_LENGTH} characters")
    return value


class SlugField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Short name")
        kwargs.setdefault("help_text", SLUG_HELP)
        kwargs.setdefault("max_length", SLUG_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return check_slug(super().clean(value))


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().clean(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class Loaded:
    """Carries when the author opened the thing being edited (a hidden ``loaded`` field), so
    that a save on top of someone else's later save is refused instead of overwriting it."""

    data: Any
    is_bound: bool
    fields: dict[str, forms.Field]

    def _mark_loaded(self, instance: models.Model | None) -> None:
        stamp = getattr(instance, "updated_at", None) if instance and instance.pk else None
        if stamp is not None and not self.is_bound:
            self.fields["loaded"].initial = stamp.isoformat()

    def loaded_at(self) -> datetime.datetime | None:
        text = (self.data.get("loaded") if self.is_bound else None) or ""
        try:
            return datetime.datetime.fromisoformat(text) if text else None
        except ValueError:
            return None


class DraftForm(Loaded, forms.Form):
    """A form over part of the draft that is not one model (pass ``instance``)."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: models.Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mark_loaded(instance)


class DraftModelForm(Loaded, forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm over part of the draft, with the concurrent-edit check."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mark_loaded(self.instance)


class CourseCreateForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    slug = SlugField(
        help_text="Used in the course's web address: lowercase letters, numbers and hyphens, "
        "for example data-for-boards. It cannot be changed later."
    )
    summary = forms.CharField(
        label="Summary",
        help_text="One or two sentences shown in the course list.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_slug(self) -> str:
        from authoring.models import Workspace
        from courses.models import Course

        slug = self.cleaned_data["slug"]
        if (
            Workspace.objects.filter(slug=slug).exists()
            or Course.objects.filter(slug=slug).exists()
        ):
            raise forms.ValidationError("A course already has this short name: choose another")
        return slug


class CourseDetailsForm(DraftModelForm):
    outcomes = LinesField(
        label="Outcomes",
        required=False,
        help_text="What a learner will be able to do afterwards: one per line.",
    )

    class Meta:
        from courses.models import Course

        model = Course
        fields = ["title", "summary", "audience", "outcomes", "estimated_minutes", "introduction",
                  "published"]  # fmt: skip
        labels = {
            "estimated_minutes": "Estimated time in minutes",
            "introduction": "Introduction",
            "published": "List the course for learners once it is published",
        }
        help_texts = {
            "summary": "One or two sentences shown in the course list.",
            "audience": "Who the course is for.",
            "estimated_minutes": "Leave at 0 to add up the lessons' times.",
            "introduction": "Markdown, shown on the course page.",
            "published": "Unlisted courses are seen only by authors and admins.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.Textarea(attrs={"rows": 2}),
            "introduction": forms.Textarea(attrs={"rows": 12}),
        }


class ModuleForm(DraftModelForm):
    slug = SlugField()

    class Meta:
        from courses.models import Module

        model = Module
        fields = ["title", "slug", "summary"]
        help_texts = {"summary": "Optional: a sentence on what the module covers."}
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, course: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        taken = self.course.modules.filter(slug=slug).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another module of this course has this short name")
        return slug


class LessonForm(DraftModelForm):
    slug = SlugField()
    estimated_minutes = forms.IntegerField(
        label="Estimated time in minutes", min_value=1, max_value=180
    )
    objectives = LinesField(
        label="Objectives",
        required=False,
        help_text="What the learner will be able to do after the lesson: one per line.",
    )

    class Meta:
        from courses.models import Lesson

        model = Lesson
        fields = ["title", "slug", "estimated_minutes", "objectives", "body"]
        labels = {"estimated_minutes": "Estimated time in minutes", "body": "Lesson text"}
        help_texts = {
            "body": "Markdown. To add a chart, dataset, glossary term or exercise, open "
            "“Insert a chart, dataset, glossary term or exercise” below the text. The preview "
            "under it shows the lesson as learners will see it."
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 20})}

    def __init__(self, *args: Any, module: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module = module

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        taken = self.module.lessons.filter(slug=slug).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another lesson of this module has this short name")
        return slug

    def clean_body(self) -> str:
        from courses.content.folder import MAX_LESSON_CHARACTERS

        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if len(body) > MAX_LESSON_CHARACTERS:
            raise forms.ValidationError(
                f"A lesson is at most {MAX_LESSON_CHARACTERS:,} characters: split it in two"
            )
        problems = md.scan(body).problems
        if problems:
            raise forms.ValidationError(
                [f"Line {line}: {message}" for line, message in problems[:20]]
            )
        return body


class TermForm(DraftModelForm):
    slug = SlugField(help_text="Lessons link to the term with [[short-name]].")

    class Meta:
        from courses.models import GlossaryTerm

        model = GlossaryTerm
        fields = ["term", "slug", "definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, course: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if self.course.glossary_terms.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another term of this course has this short name")
        return slug


class RoleForm(forms.Form):
    email = forms.EmailField(
        label="Email address", help_text="They must already have an account on the service."
    )
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from authoring.models import ROLE_HINTS, Role

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (role.value, f"{role.label}: {ROLE_HINTS[role].lower()}") for role in Role
        ]

    def clean_email(self) -> Any:
        from accounts.models import User

        user = User.objects.filter(email__iexact=self.cleaned_data["email"], is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                "No one with this email address has an account: invite them first"
            )
        return user


class CommentForm(forms.Form):
    about = forms.ChoiceField(label="About", required=False)
    text = forms.CharField(
        label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, parts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["about"]).choices = [
            ("", "The course as a whole"),
            *parts,
        ]
