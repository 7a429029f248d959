from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts import roles

View = Callable[..., HttpResponse]


def role_required(has_role: Callable[[Any], bool]) -> Callable[[View], View]:
    """Signed-out people go to sign in; signed-in people without the role get 403."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


tutor_required = role_required(roles.is_tutor)
admin_required = role_required(roles.is_admin)
