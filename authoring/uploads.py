"""Size limits on uploaded files, put in place before anything reads the request's body.

A view that takes a file is ``csrf_exempt`` outside and calls a ``csrf_protect`` view inside,
after ``limit_upload``: the CSRF check reads the body (as Django's documentation shows for
upload handlers), so the limit has to be there first.
"""

from __future__ import annotations

from django.http import HttpRequest

from authoring.datasets import MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES, UploadSizeLimit

__all__ = ["UploadSizeLimit", "limit_upload", "request_length"]


def request_length(request: HttpRequest) -> int:
    """The Content-Length the client declared; 0 if none or not a number."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def limit_upload(
    request: HttpRequest,
    *,
    file_bytes: int = MAX_UPLOAD_BYTES,
    request_bytes: int = MAX_REQUEST_BYTES,
) -> UploadSizeLimit | None:
    """Put the size limit (``file_bytes`` per file) on this request's file uploads, before
    anything reads the body; None when the body is larger than ``request_bytes`` and should
    not be read at all."""
    if request_length(request) > request_bytes:
        return None
    limit = UploadSizeLimit(request, limit=file_bytes)
    request.upload_handlers.insert(0, limit)
    return limit
