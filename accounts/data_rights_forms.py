"""The question asked before an account is deleted."""

from django import forms


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that my account will be deleted and cannot be restored",
        error_messages={
            "required": (
                "Confirm that you understand your account will be deleted and cannot be restored"
            )
        },
    )
