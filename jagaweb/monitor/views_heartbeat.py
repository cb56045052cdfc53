"""The heartbeat endpoint an external job calls when it ran (`/hb/<token>`) or failed (`/hb/<token>/fail`).

Anonymous and without CSRF (a cron script has neither session nor form); the unguessable token in the
URL is the credential. Answers are a word of plain text, so that `curl` output in a cron mail is short.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jagaweb.monitor.operations import record_ping

MAX_TOKEN = 40


def plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


def ping(token: str, failed: bool) -> HttpResponse:
    if len(token) > MAX_TOKEN or record_ping(token, failed=failed) is None:
        return plain("not found", 404)
    return plain("failure recorded" if failed else "OK")


@csrf_exempt
@login_not_required
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def heartbeat(request: HttpRequest, token: str) -> HttpResponse:
    return ping(token, failed=False)


@csrf_exempt
@login_not_required
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def heartbeat_fail(request: HttpRequest, token: str) -> HttpResponse:
    return ping(token, failed=True)
