"""What every authoring view shares: finding the workspace for the person asking, the page
context for the authoring layout, and saving a form with the check for concurrent edits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from authoring import access, services
from authoring.access import Need
from authoring.forms import DraftForm, DraftModelForm
from authoring.models import Workspace


def workspace(request: HttpRequest, slug: str, need: Need = Need.VIEW) -> Workspace:
    return access.workspace_for(user=request.user, slug=slug, need=need)


def page(
    request: HttpRequest,
    template: str,
    workspace: Workspace,
    context: dict[str, Any] | None = None,
    *,
    section: str = "",
    status: int | None = None,
) -> HttpResponse:
    """Render an authoring page: the layout needs the workspace, the person's role on it and
    the section of the course's navigation to mark as current."""
    role = getattr(workspace, "role", None) or access.role_in(
        user=request.user, workspace=workspace
    )
    full = {
        "workspace": workspace,
        "draft": workspace.draft,
        "role": role,
        "can_edit": access.allows(role, Need.EDIT),
        "can_publish": access.allows(role, Need.PUBLISH),
        "can_manage": access.allows(role, Need.MANAGE),
        "section": section,
        **(context or {}),
    }
    if status is None:
        form = full.get("form")
        status = 400 if isinstance(form, forms.BaseForm) and form.errors else 200
    return render(request, template, full, status=status)


def save_form(
    *,
    request: HttpRequest,
    workspace: Workspace,
    form: DraftForm | DraftModelForm,
    instance: models.Model,
    what: str,
    noun: str,
) -> bool:
    """Save ``instance`` (already filled from the valid ``form``) unless another author saved
    it since this one opened it: then the form gets an error saying so, and keeps the text."""
    try:
        services.save_draft_object(
            workspace=workspace,
            instance=instance,
            loaded_at=form.loaded_at(),
            actor=_user(request),
            what=what,
        )
    except services.EditConflict as conflict:
        form.add_error(None, conflict.message(noun))
        # Now that the author has been told, saving the form again is a deliberate choice.
        form.data = form.data.copy()
        form.data["loaded"] = conflict.at.isoformat()
        return False
    return True


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user
