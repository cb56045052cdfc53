from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from rest_framework.views import APIView


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login, except views marked @login_not_required.

    API views are left to DRF, which authenticates tokens itself and answers 401/403 instead of a
    redirect to the login page.
    """

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class LanguageMiddleware(LocaleMiddleware):
    """The language a person chose (the language switch or their profile, kept in the language cookie),
    else the installation's default (Bahasa Indonesia unless JAGAWEB_LANGUAGE says otherwise).

    Unlike Django's, the browser's Accept-Language is not consulted: many officers' computers are set to
    English while the institution works in Indonesian, and the default is the institution's choice.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
