"""Chromium for screenshots: where it is, how it is launched, and how each identity looks to a site."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from django.conf import settings
from playwright.sync_api import Browser, Playwright
from playwright.sync_api import Error as PlaywrightError

from jagaweb.guard.choices import Identity
from jagaweb.guard.identities import PROFILES

logger = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
PHONE_VIEWPORT = {"width": 390, "height": 844}
LAUNCH_TIMEOUT_MS = 30_000
LAUNCH_ARGS = [
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
    "--hide-scrollbars",
    # WebRTC can send UDP straight to any address, past the proxy that enforces the address policy.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]
# Chromium sends loopback traffic around a proxy unless told otherwise; the policy must see it too.
PROXY_BYPASS = "<-loopback>"
# Set by the browser itself (Accept varies by resource type) or per navigation (Referer), not on every request.
NOT_EXTRA_HEADERS = frozenset({"User-Agent", "Accept", "Referer"})


class BrowserUnavailable(RuntimeError):
    """Chromium is missing or would not start: a setup problem, not a page problem."""


def chromium_path() -> str:
    """The JAGAWEB_CHROMIUM setting (the Debian package's binary unless set)."""
    return str(getattr(settings, "JAGAWEB_CHROMIUM", "") or DEFAULT_CHROMIUM)


def launch(playwright: Playwright, proxy_url: str) -> Browser:
    """Headless Chromium whose every connection goes through `proxy_url`."""
    executable = chromium_path()
    if not os.path.exists(executable):
        raise BrowserUnavailable(f"Chromium not found at {executable} (set JAGAWEB_CHROMIUM)")
    options: dict[str, Any] = {
        "executable_path": executable, "headless": True, "args": LAUNCH_ARGS, "timeout": LAUNCH_TIMEOUT_MS,
        "proxy": {"server": proxy_url, "bypass": PROXY_BYPASS},
    }
    # The sandbox matters here (the pages may be hostile), but Chromium refuses it when run as root.
    if os.geteuid() != 0:
        try:
            return playwright.chromium.launch(chromium_sandbox=True, **options)
        except PlaywrightError as exc:
            logger.warning("Chromium would not start with its sandbox, starting without: %s",
                           str(exc).splitlines()[0])
    try:
        return playwright.chromium.launch(chromium_sandbox=False, **options)
    except PlaywrightError as exc:
        raise BrowserUnavailable(f"Chromium at {executable} would not start: {str(exc).splitlines()[0]}") from exc


def context_options(identity: Identity) -> dict[str, Any]:
    """Options for `Browser.new_context` that make the browser send what the identity sends."""
    profile = PROFILES[identity]
    extra = {name: value for name, value in profile.headers.items() if name not in NOT_EXTRA_HEADERS}
    options: dict[str, Any] = {
        "user_agent": profile.user_agent,
        "extra_http_headers": extra,
        "device_scale_factor": 1,
        # A service worker's requests could outlive the page; the proxy polices them, but none are needed.
        "service_workers": "block",
        "reduced_motion": "reduce",
        "accept_downloads": False,
        # Certificates are the TLS check's business; the screenshot shows the page a visitor would see.
        "ignore_https_errors": True,
    }
    if identity == Identity.MOBILE:
        options.update(viewport=dict(PHONE_VIEWPORT), is_mobile=True, has_touch=True)
    else:
        options["viewport"] = dict(DESKTOP_VIEWPORT)
    return options


def language_script(identity: Identity) -> str | None:
    """Makes navigator.language(s) agree with the Accept-Language header, for cloaks that ask in script.

    Playwright's `locale` option would do it but also replaces the header on the page's own request with
    a single tag, so the header is sent as the identity sends it and the script side is set here."""
    header = PROFILES[identity].headers.get("Accept-Language", "")
    tags = [part.split(";")[0].strip() for part in header.split(",") if part.strip()]
    if not tags:
        return None
    listed = json.dumps(tags)
    return (f"Object.defineProperty(Navigator.prototype, 'languages', {{get: () => {listed}}});"
            f"Object.defineProperty(Navigator.prototype, 'language', {{get: () => {json.dumps(tags[0])}}});")


def referrer_for(identity: Identity) -> str | None:
    return PROFILES[identity].headers.get("Referer")
