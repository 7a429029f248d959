from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from accounts import email_queue
from accounts.signup_policy import may_sign_up

SIGNUP_REFUSED = (
    "You cannot create an account with this email address. Data Masterclass is open to "
    "invited people and to addresses on allowed government domains. If you have been "
    "invited, use the address your invitation was sent to."
)


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not may_sign_up(email=email):
            raise forms.ValidationError(SIGNUP_REFUSED, code="signup_not_allowed")
        return email

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render the email here, as allauth does, and with SEND_EMAIL_IN_BACKGROUND hand it
        to the email queue: the request does not wait for the mail server."""
        if not settings.SEND_EMAIL_IN_BACKGROUND:
            super().send_mail(template_prefix, email, context)
            return
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, full_context)
        email_queue.send_in_background(message=message)
