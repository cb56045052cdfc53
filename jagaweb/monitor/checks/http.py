"""HTTP(S) availability: status, response time, redirect chain, keyword, size, under the operator's conditions.

Options (`config`), all optional:

    {"method": "GET",            # or "HEAD" (no body: no keyword or size conditions)
     "conditions": [...],        # see `conditions`; without a status condition the status must be 200-399
     "match": "all",             # or "any": one holding condition is enough
     "max_redirects": 10,        # 0 records the redirect answer itself as the result
     "verify_tls": true}         # false: judge availability even with a broken certificate (the tls check
                                 # reports the certificate)

This is the engine's hot path (thousands of runs a minute), so a run does one request chain on the
shared session, decodes the body only for keyword conditions, and builds no regex.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb.monitor.checks import register
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Outcome, opened_options
from jagaweb.monitor.checks.conditions import Observed, clean_conditions, compile_conditions, judge
from jagaweb.monitor.checks.fetch import Fetched, FetchError, fetch, short, unexpected
from jagaweb.monitor.choices import CheckKind, Status

METHODS = ("GET", "HEAD")
MATCHES = ("all", "any")
MAX_REDIRECTS = 20
DEFAULT_REDIRECTS = 10
OPTIONS = frozenset({"method", "conditions", "match", "max_redirects", "verify_tls"})
BODY_FIELDS = frozenset({"keyword", "size"})
FACT_URL = 300


def facts_of(fetched: Fetched) -> dict[str, Any]:
    facts: dict[str, Any] = {"status_code": fetched.status, "size": len(fetched.body)}
    if fetched.truncated:
        facts["truncated"] = True
    if fetched.hops:  # URLs shortened: facts are written on every run, a hop's URL can be kilobytes
        facts["redirects"] = [{"url": short(hop["url"], FACT_URL), "status": hop["status"]} for hop in fetched.hops]
        facts["final_url"] = short(fetched.url, FACT_URL)
    return facts


@register
class HttpCheck(CheckType):
    kind = CheckKind.HTTP
    label = _("HTTP(S) availability")
    default_interval = 60
    counts_for_uptime = True

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        config, errors = opened_options(config, OPTIONS)
        method = str(config.get("method") or "GET").upper()
        if method not in METHODS:
            errors.append(ValidationError(_("The method must be GET or HEAD.")))
        match = config.get("match") or "all"
        if match not in MATCHES:
            errors.append(ValidationError(_("Match must be 'all' or 'any'.")))
        redirects = config.get("max_redirects", DEFAULT_REDIRECTS)
        if isinstance(redirects, str) and redirects.strip().isdigit():
            redirects = int(redirects)  # from a form field
        if isinstance(redirects, bool) or not isinstance(redirects, int) or not 0 <= redirects <= MAX_REDIRECTS:
            errors.append(ValidationError(_("Maximum redirects must be a whole number from 0 to %(max)s."),
                                          params={"max": MAX_REDIRECTS}))
        conditions: list[dict[str, Any]] = []
        try:
            conditions = clean_conditions(config.get("conditions"))
        except ValidationError as exc:
            errors.extend(exc.error_list)
        if method == "HEAD" and any(c["field"] in BODY_FIELDS for c in conditions):
            errors.append(ValidationError(_("Keyword and size conditions need the GET method (HEAD has no body).")))
        if errors:
            raise ValidationError(errors)
        return {"method": method, "conditions": conditions, "match": match, "max_redirects": redirects,
                "verify_tls": bool(config.get("verify_tls", True))}

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        try:
            return await self._run(spec, context)
        except Exception as exc:  # a run never raises (see base); this is a bug to log, not a site to blame
            return unexpected(self.kind, exc)

    async def _run(self, spec: CheckSpec, context: Context) -> Outcome:
        config = spec.config
        try:
            conditions = compile_conditions(config.get("conditions") or ())
            max_redirects = int(config.get("max_redirects", DEFAULT_REDIRECTS))
        except (KeyError, TypeError, ValueError):
            return Outcome(Status.UNKNOWN, gettext("The check's options are invalid; edit and save the check."))
        try:
            fetched = await fetch(
                context.sessions.http(spec.allow_private), spec.target, timeout=spec.timeout,
                method=config.get("method") or "GET", max_redirects=max_redirects,
                verify_tls=config.get("verify_tls", True),
            )
        except FetchError as exc:
            return Outcome(Status.DOWN, str(exc))
        observed = Observed(status=fetched.status, response_ms=fetched.elapsed_ms, size=len(fetched.body),
                            redirects=len(fetched.hops), final_url=fetched.url, text=fetched.text)
        status, failures = judge(conditions, observed, match_any=config.get("match") == "any")
        summary = gettext("HTTP %(status)s in %(ms)s ms") % {"status": fetched.status,
                                                            "ms": f"{fetched.elapsed_ms:.0f}"}
        message = summary if not failures else f"{summary}: {'; '.join(failures)}"
        return Outcome(status, message, response_ms=round(fetched.elapsed_ms, 1), facts=facts_of(fetched))
