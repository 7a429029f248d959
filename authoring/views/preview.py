"""The Markdown editor's live preview: text in, the learners' HTML for it out."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from authoring import editor
from authoring.access import Need
from authoring.views import common


@login_required
@require_POST
def lesson_preview(request: HttpRequest, course: str) -> HttpResponse:
    """A fragment of HTML for the editor's script: the problems in the text, then the text
    as learners will see it. Reviewers may preview too: it changes nothing."""
    ws = common.workspace(request, course, Need.VIEW)
    text = request.POST.get("text", "")
    preview = editor.live_preview(workspace=ws, text=text)
    status = 400 if len(text) > editor.MAX_PREVIEW_CHARACTERS else 200
    response = HttpResponse(
        preview.fragment, content_type="text/html; charset=utf-8", status=status
    )
    response["Cache-Control"] = "no-store"
    return response
