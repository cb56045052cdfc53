"""The document printed to PDF by headless Chromium (the one `JAGAWEB_CHROMIUM` names).

The HTML is self-contained, so the browser runs offline, with scripts off and every request refused:
printing fetches nothing. Playwright's sync API cannot run inside an asyncio event loop; call this
from ordinary synchronous code (a command, a task, a sync view).
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Route, sync_playwright

from jagaweb.guard.visual.browser import LAUNCH_ARGS, chromium_path
from jagaweb.sop.definitions import SopDefinition
from jagaweb.sop.render.html import render_html

LAUNCH_TIMEOUT_MS = 30_000
PRINT_TIMEOUT_MS = 60_000


class PdfUnavailable(RuntimeError):
    """Chromium is missing or would not start or print: a setup problem, not a definition problem."""


def refuse(route: Route) -> None:
    route.abort()


def html_to_pdf(html: str) -> bytes:
    """Any self-contained HTML printed on A4 landscape pages (the CSS @page size and margins apply)."""
    executable = chromium_path()
    if not os.path.exists(executable):
        raise PdfUnavailable(f"Chromium not found at {executable} (set JAGAWEB_CHROMIUM)")
    try:
        with sync_playwright() as playwright:
            # No sandbox: Chromium refuses it as root and many containers cannot give it one, and it is
            # not needed here, where the only page is our own document, offline, with scripts off.
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=LAUNCH_ARGS, timeout=LAUNCH_TIMEOUT_MS,
                chromium_sandbox=False)
            try:
                context = browser.new_context(offline=True, java_script_enabled=False)
                page = context.new_page()
                page.route("**/*", refuse)
                page.set_default_timeout(PRINT_TIMEOUT_MS)
                page.set_content(html, wait_until="load")
                return page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable(f"Chromium at {executable} could not print: {str(exc).splitlines()[0]}") from exc


def render_pdf_bytes(definition: SopDefinition) -> bytes:
    return html_to_pdf(render_html(definition))


def render_pdf(definition: SopDefinition, out: Path) -> Path:
    """Writes the document's PDF to `out` (its directory must exist) and returns `out`."""
    out.write_bytes(render_pdf_bytes(definition))
    return out
