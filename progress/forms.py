"""The learner's choices about their progress (emails, the privacy of their answers), and the
name they want printed on a certificate."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User

# As long as the account's first and last names together.
NAME_MAX_LENGTH = 150


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["progress_emails", "answers_private"]
        labels = {
            "progress_emails": "Email me when I fall behind or a module is nearly due",
            "answers_private": "Keep my practice answers private from facilitators",
        }
        help_texts = {
            "progress_emails": (
                "Only while you are in a cohort: a weekly summary when you are behind its "
                "schedule, and a reminder when a module you have not finished is nearly due."
            ),
            "answers_private": (
                "Your facilitators will then see only how much of the course you have done "
                "(lessons read and questions answered), not your scores or answers. Your answers "
                "still count, with nobody named, in figures for the whole group."
            ),
        }


class CertificateNameForm(forms.Form):
    """For a learner whose account has no name: a certificate never shows an email address."""

    name = forms.CharField(
        label="Name to print on your certificate",
        help_text="Your full name, as you want people who check the certificate to see it.",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the name to print on your certificate",
            "max_length": f"Name to print must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # GOV.UK advises against maxlength: it cuts text off without saying so. The form
        # checks the length and says what is wrong instead.
        self.fields["name"].widget.attrs.pop("maxlength", None)

    def clean_name(self) -> str:
        # CharField has already stripped the ends; runs of spaces inside become one.
        return " ".join(self.cleaned_data["name"].split())
