"""Forms for running cohorts: the cohort's details and schedule, inviting learners."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db.models.functions import Lower

from accounts.models import User
from cohorts import invitations
from cohorts.models import Cohort
from cohorts.services import Dates
from courses.models import TITLE_LENGTH, Course, Module

DATE_HINT = "For example, 27 3 2026"
MAX_PEOPLE = 50


# --- GOV.UK date input ------------------------------------------------------------------------
class DateInput(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input). Each box's id ends _0, _1, _2, so
    that the error summary can link to the first."""

    template_name = "cohorts/_manage_date_widget.html"
    has_error = False

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        boxes: dict[str, forms.Widget | type[forms.Widget]] = {
            name: forms.TextInput(attrs=numeric) for name in ("day", "month", "year")
        }
        super().__init__(boxes, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["has_error"] = self.has_error
        for box, label in zip(
            context["widget"]["subwidgets"], ("Day", "Month", "Year"), strict=True
        ):
            box["label"] = label
        return context


class DateField(forms.Field):
    """A date typed into a GOV.UK date input, with the Design System's error messages.
    ``name`` starts those messages: "Start date must be a real date"."""

    widget = DateInput

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        self.name = name
        kwargs.setdefault("error_messages", {"required": f"Enter the {name.lower()}"})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date) or value is None:
            return value
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise ValidationError(f"{self.name} must be a real date")
        day, month, year = (str(part if part is not None else "").strip() for part in value)
        if not (day or month or year):
            return None
        missing = [
            part
            for part, text in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not text
        ]
        if missing:
            raise ValidationError(f"{self.name} must include a {' and a '.join(missing)}")
        if not all(re.fullmatch(r"[0-9]{1,4}", text) for text in (day, month, year)):
            raise ValidationError(f"{self.name} must be a real date")
        if len(year) != 4:
            raise ValidationError(f"{self.name} must include a year with 4 numbers, like 2026")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.name} must be a real date") from None


class GovukForm(forms.Form):
    """Marks date inputs that have an error, so that each box is shown in the error style."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if isinstance(widget, DateInput):
                widget.has_error = True


# --- People by email address ------------------------------------------------------------------
class PeopleField(forms.CharField):
    """Email addresses, one per line, of existing active accounts. Cleans to a list of users."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return "\n".join(user.email if isinstance(user, User) else str(user) for user in value)
        return value

    def clean(self, value: Any) -> list[User]:  # type: ignore[override]
        text = super().clean(value) or ""
        emails = list(dict.fromkeys(part.lower() for part in re.split(r"[\s,;]+", text) if part))
        if len(emails) > MAX_PEOPLE:
            raise ValidationError(f"Enter {MAX_PEOPLE} email addresses or fewer")
        malformed = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                malformed.append(email)
        if malformed:
            raise ValidationError(
                f"Enter email addresses in the correct format, like name@example.gov.uk: "
                f"{', '.join(malformed)} {'is' if len(malformed) == 1 else 'are'} not"
            )
        users = {
            user.lower_email: user
            for user in User.objects.annotate(lower_email=Lower("email")).filter(
                lower_email__in=emails, is_active=True
            )
        }
        unknown = [email for email in emails if email not in users]
        if unknown:
            raise ValidationError(
                f"There is no account for {', '.join(unknown)}. "
                "People need an account before they can be added here"
            )
        return [users[email] for email in emails]


# --- A cohort ---------------------------------------------------------------------------------
class CohortForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=TITLE_LENGTH,
        help_text="For example, Permanent secretaries, spring 2027",
        error_messages={"required": "Enter a name for the cohort"},
    )
    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Choose a course",
        error_messages={
            "required": "Choose a course",
            "invalid_choice": "Choose one of the published courses",
        },
    )
    start_date = DateField(name="Start date", label="Start date", help_text=DATE_HINT)
    facilitators = PeopleField(
        label="Facilitators (optional)",
        help_text="People who run the cohort and see each learner’s progress. "
        "One email address per line; each must already have an account.",
    )
    report_viewers = PeopleField(
        label="Report viewers (optional)",
        help_text="People who see only the cohort’s report, in which small groups are hidden. "
        "One email address per line; each must already have an account.",
    )

    def __init__(self, *args: Any, cohort: Cohort | None = None, **kwargs: Any) -> None:
        if cohort is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": cohort.name,
                    "course": cohort.course_id,
                    "start_date": cohort.start_date,
                    "facilitators": list(cohort.facilitators.order_by("email")),
                    "report_viewers": list(cohort.report_viewers.order_by("email")),
                    "archived": cohort.archived,
                },
            )
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        courses = Course.objects.filter(published=True)
        if cohort is not None:  # a cohort keeps its course even if it is unpublished later
            courses = Course.objects.filter(published=True) | Course.objects.filter(
                pk=cohort.course_id
            )
        course_field = self.fields["course"]
        assert isinstance(course_field, forms.ModelChoiceField)
        course_field.queryset = courses.order_by("title")
        self.modules: list[Module] = []
        if cohort is not None:
            self.fields["archived"] = forms.BooleanField(
                label="Archive this cohort",
                required=False,
                help_text="Archived cohorts are listed separately, and no one can be "
                "invited to them.",
            )
            self._add_schedule_fields(cohort)

    def _add_schedule_fields(self, cohort: Cohort) -> None:
        self.modules = list(cohort.course.modules.order_by("position"))
        dates = {row.module_id: row for row in cohort.schedule.all()}
        for module in self.modules:
            row = dates.get(module.pk)
            title = f"‘{module.title}’"
            self.fields[f"release_{module.pk}"] = DateField(
                name=f"The opening date of {title}",
                label="Opens on",
                required=False,
                initial=row.release_date if row else None,
            )
            self.fields[f"due_{module.pk}"] = DateField(
                name=f"The due date of {title}",
                label="Due by",
                required=False,
                initial=row.due_date if row else None,
            )

    @property
    def schedule_rows(self) -> list[tuple[Module, forms.BoundField, forms.BoundField]]:
        return [
            (module, self[f"release_{module.pk}"], self[f"due_{module.pk}"])
            for module in self.modules
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for module in self.modules:
            release = cleaned.get(f"release_{module.pk}")
            due = cleaned.get(f"due_{module.pk}")
            if release and due and due < release:
                self.add_error(
                    f"due_{module.pk}",
                    f"The due date of ‘{module.title}’ must be the same as or after its "
                    "opening date",
                )
        return cleaned

    @property
    def course_changed(self) -> bool:
        return self.cohort is not None and self.cleaned_data["course"].pk != self.cohort.course_id

    def schedule(self) -> dict[int, Dates]:
        return {
            module.pk: (
                self.cleaned_data.get(f"release_{module.pk}"),
                self.cleaned_data.get(f"due_{module.pk}"),
            )
            for module in self.modules
        }


# --- Learners ---------------------------------------------------------------------------------
class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=invitations.EMAIL_LENGTH,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
            "max_length": "The email address is too long",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    group = forms.CharField(
        label="Group (optional)",
        required=False,
        max_length=invitations.GROUP_LENGTH,
        help_text="For example, their department. Reports show groups only in totals.",
        error_messages={
            "max_length": f"The group must be {invitations.GROUP_LENGTH} characters or fewer"
        },
    )


class MemberForm(forms.Form):
    """A member named by a button on the learners page (to resend their invitation)."""

    membership = forms.IntegerField(min_value=1)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The file is empty",
            "invalid": "Select a CSV file",
        },
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[invitations.Problem] = []
        self.invitees: list[invitations.Invitee] = []

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > invitations.MAX_BYTES:
            raise ValidationError(
                f"The file must be smaller than {invitations.MAX_BYTES // (1024 * 1024)} MB"
            )
        parsed = invitations.parse_invitees(data=upload.read())
        if parsed.problems:
            self.problems = parsed.problems
            if len(parsed.problems) == 1:
                [problem] = parsed.problems
                if problem.line is None:
                    raise ValidationError(problem.message)
                raise ValidationError(
                    f"Line {problem.line}: {problem.message}. Nothing has been imported: fix "
                    "the file and upload it again"
                )
            count = len(parsed.problems)
            raise ValidationError(
                f"The file has {count} {'problem' if count == 1 else 'problems'}, listed below. "
                "Nothing has been imported: fix the file and upload it again"
            )
        self.invitees = parsed.invitees
        return upload
