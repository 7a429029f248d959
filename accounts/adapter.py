from allauth.account.adapter import DefaultAccountAdapter
from django import forms

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
