"""Screenshots of pages as each identity sees them, with one headless Chromium per call.

Every connection the browser opens goes through `visual.proxy` under `visual.policy` (see there why). A
page that cannot be shot gives a `Shot` with an `error`; only a missing or broken Chromium raises
(`BrowserUnavailable`). Uses Playwright's sync API, so call it from a thread without a running asyncio
event loop (jobs and management commands are fine).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from PIL import Image
from playwright.sync_api import Browser, Page, Request, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from jagaweb import net
from jagaweb.guard.choices import Identity
from jagaweb.guard.visual.browser import context_options, language_script, launch, referrer_for
from jagaweb.guard.visual.policy import BrowserPolicy
from jagaweb.guard.visual.proxy import MARK_HEADER, PolicyProxy

logger = logging.getLogger(__name__)

# An endless page (or one built to exhaust memory) is cut here; defacements show at the top anyway.
MAX_HEIGHT = 4000
# After the load event: web fonts, sliders and late scripts settle (animations are disabled).
SETTLE_MS = 300
# Kept back from the timeout for measuring and taking the screenshot when loading drags on.
SCREENSHOT_RESERVE_SECONDS = 5.0
PAGE_HEIGHT_JS = ("() => Math.max(document.documentElement ? document.documentElement.scrollHeight : 0,"
                  " document.body ? document.body.scrollHeight : 0) || 1")


@dataclasses.dataclass(frozen=True)
class ShotRequest:
    url: str
    identity: Identity | str = Identity.NORMAL


@dataclasses.dataclass(frozen=True)
class Shot:
    url: str
    identity: str
    path: Path | None  # None when `error` says why there is no screenshot
    width: int
    height: int
    error: str
    final_url: str
    status: int | None = None  # of the main document, when one answered
    # host:port the page tried to reach and the address policy refused: evidence in itself
    refused: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.error


def capture(shots: Sequence[ShotRequest], out_dir: Path, *, allow_private: bool, timeout: float = 30,
            private_hosts: Collection[str] = ()) -> list[Shot]:
    """One PNG per request in `out_dir` ("000-normal.png", ...), returned in the order asked.

    `allow_private` lets the browser reach private addresses at all; `private_hosts` only for those names
    (the site's own host on the intranet). `timeout` bounds each shot, in seconds (give or take the
    second kept for the screenshot itself)."""
    requests = [ShotRequest(shot.url, Identity(shot.identity)) for shot in shots]  # a bad identity raises now
    if not requests:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    policy = BrowserPolicy.build(allow_private=allow_private, private_hosts=private_hosts)
    results: list[Shot] = []
    with PolicyProxy(policy, timeout=timeout) as proxy, sync_playwright() as playwright:
        browser = launch(playwright, proxy.url)
        try:
            for index, request in enumerate(requests):
                if not browser.is_connected():  # a page crashed the whole browser: the next one gets a new one
                    browser = launch(playwright, proxy.url)
                path = out_dir / f"{index:03d}-{request.identity}.png"
                seen = proxy.problem_count()
                shot = _shoot(browser, proxy, request, path, timeout)
                results.append(dataclasses.replace(shot, refused=proxy.refused_since(seen)))
        finally:
            with contextlib.suppress(PlaywrightError):
                browser.close()
    return results


def _failed(request: ShotRequest, error: str, final_url: str = "", status: int | None = None) -> Shot:
    return Shot(request.url, str(request.identity), None, 0, 0, error, final_url or request.url, status)


def _refusal(url: str, policy: BrowserPolicy) -> str:
    """Why the page itself may not be fetched ("" when it may), before the browser is involved."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return _("Not a valid URL: %(error)s") % {"error": exc}
    if parts.scheme not in net.ALLOWED_SCHEMES or not parts.hostname:
        return _("Only http and https URLs with a host can be captured, not %(url)s.") % {"url": repr(url[:100])}
    try:
        policy.addresses(parts.hostname, port)
    except net.NetError as exc:
        return str(exc)
    return ""


def _problem_text(proxy: PolicyProxy, url: str) -> str:
    """The proxy's reason for not connecting to `url`'s host, if it refused or could not reach it."""
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.hostname:
            problem = proxy.problem_for(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
            if problem is not None:
                return problem.reason
    return ""


def _error_text(exc: PlaywrightError) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first.split(": ", 1)[1] if first.startswith(("Page.", "Browser")) and ": " in first else first


def _milliseconds(seconds: float) -> float:
    return max(seconds, 1.0) * 1000


def _shoot(browser: Browser, proxy: PolicyProxy, request: ShotRequest, path: Path, timeout: float) -> Shot:
    refusal = _refusal(request.url, proxy.policy)
    if refusal:
        return _failed(request, refusal)
    identity = Identity(request.identity)
    options = context_options(identity)
    navigations: list[str] = [request.url]
    try:
        context = browser.new_context(**options)
    except PlaywrightError as exc:
        return _failed(request, _error_text(exc))
    try:
        script = language_script(identity)
        if script:
            context.add_init_script(script)
        page = context.new_page()

        def note_navigation(sent: Request) -> None:
            if sent.is_navigation_request() and sent.frame == page.main_frame:
                navigations.append(sent.url)

        page.on("request", note_navigation)
        return _load_and_shoot(page, request, path, timeout, proxy, options["viewport"])
    except PlaywrightError as exc:
        return _failed(request, _problem_text(proxy, navigations[-1]) or _error_text(exc), navigations[-1])
    except Exception as exc:  # a hostile page must not stop the other shots, whatever breaks
        logger.exception("Screenshot of %s failed", request.url)
        return _failed(request, f"{type(exc).__name__}: {exc}", navigations[-1])
    finally:
        with contextlib.suppress(PlaywrightError):
            context.close()


def _load_and_shoot(page: Page, request: ShotRequest, path: Path, timeout: float, proxy: PolicyProxy,
                    viewport: dict[str, int]) -> Shot:
    deadline = time.monotonic() + timeout
    page.set_default_timeout(_milliseconds(timeout))
    response: Response | None = page.goto(
        request.url, referer=referrer_for(Identity(request.identity)), wait_until="domcontentloaded",
        timeout=_milliseconds(timeout),
    )
    status = response.status if response is not None else None
    if response is not None and response.headers.get(MARK_HEADER.lower()):
        return _failed(request, _problem_text(proxy, response.url) or f"HTTP {status}", response.url, status)
    # A page whose last image never arrives is shot as it stands when the time runs short.
    load_budget = deadline - time.monotonic() - min(SCREENSHOT_RESERVE_SECONDS, timeout / 4)
    if load_budget > 0:
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_load_state("load", timeout=load_budget * 1000)
    page.wait_for_timeout(SETTLE_MS)
    remaining = _milliseconds(deadline - time.monotonic())
    # Measured by polling, which honours a timeout: page.evaluate would wait forever on a busy script.
    measured = page.wait_for_function(PAGE_HEIGHT_JS, polling=100, timeout=remaining).json_value()
    height = min(max(int(measured or 0), viewport["height"]), MAX_HEIGHT)
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
        animations="disabled", caret="hide", timeout=_milliseconds(deadline - time.monotonic()),
    )
    with Image.open(path) as image:
        width, height = image.size
    return Shot(request.url, str(request.identity), path, width, height, "", page.url, status)
