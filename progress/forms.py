"""The learner's choices about their progress: emails and the privacy of their answers."""

from __future__ import annotations

from django import forms

from accounts.models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["progress_emails", "answers_private"]
        labels = {
            "progress_emails": "Email me a weekly summary when I fall behind",
            "answers_private": "Keep my practice answers private from facilitators",
        }
        help_texts = {
            "progress_emails": "Only while you are in a cohort and behind its schedule.",
            "answers_private": (
                "Your facilitators will see only that you have completed lessons, and your "
                "answers will still count in group figures."
            ),
        }
