"""Real-time mode of the guard (`jagaweb guard watch`): the web roots of some sites watched with inotify
(jagaweb.guard.integrity.watch), and after each burst of changes a files-only check of that site: its web
root against the trusted backup, the file rules on what changed, the findings saved, logged and alerted
like any check, and an automatic restore when the site's profile asks for one.

A files-only check is a GuardRun of kind check by "guard.watch". It does not look at the pages, the
appearance or the database again: what they last found is carried into it, since the newest check of a
site is what the guard shows and what the next check compares with for new attacks.

Where the kernel's watch limit is reached (or inotify is missing, or --periodic asks for it) the site is
rescanned every `rescan_every` seconds instead; a rescan with the integrity state costs an lstat per path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob
from jagaweb.guard.checking import CheckContext, LogAndAlert, LookAtFiles, SaveFindings, restore_if_attacked
from jagaweb.guard.choices import FindingState, RunKind, Source
from jagaweb.guard.findings import Draft
from jagaweb.guard.integrity.watch import RESCAN_ALL, WatchLimitError, watch
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.guard.runs import recorded_run
from jagaweb.inventory.models import Site
from jagaweb.steps import Step, run_steps

REALTIME = SystemJob("guard.watch")
STOP_WAIT = 120.0  # seconds a stopping site may take to finish the check it is in

Say = Callable[[str], None]
OnRun = Callable[[Site, GuardRun], None]


class WatchError(Exception):
    """A site that cannot be watched as asked; the message is for the person who asked."""


@dataclass(frozen=True)
class WatchOptions:
    debounce: float = 2.0  # seconds without a change before the check runs
    max_delay: float = 30.0  # at most this long after the first change of steady writing
    rescan_every: float = 300.0  # seconds between rescans where inotify cannot be used
    periodic: bool = False  # rescan only, never watch (a web root on NFS, whose other clients raise no events)


class CarryOtherViews(Step[CheckContext]):
    """SaveFindings closes every open finding of earlier runs: without this, a files-only check would close
    the page, appearance and database findings it never looked at, and the next full check would alert on
    them again as new."""

    name = "carry the other views forward"

    def run(self, context: CheckContext) -> None:
        kept = Finding.objects.filter(site=context.site, state=FindingState.OPEN).exclude(source=Source.FILE)
        context.add([Draft(Source(found.source), found.location, found.verdict, found.severity, found.score,
                           found.reasons, found.identity, found.detail) for found in kept])
        context.notes.append("files only (real-time mode): pages, appearance and database as last checked")


def files_check_steps() -> list[Step[CheckContext]]:
    return [CarryOtherViews(), LookAtFiles(), SaveFindings(), LogAndAlert()]


def check_files(site: Site, actor: Actor = REALTIME, *, changed: int = 0, auto_restore: bool = True) -> GuardRun:
    """Check the site's web root against its trusted backup now (the files view only); returns the finished
    run, after restoring the site when its profile restores attacks automatically. `changed` is how many
    changed paths set it off (kept in the run's counts)."""
    profile = GuardProfile.for_site(site)
    with recorded_run(site, RunKind.CHECK, actor) as run:
        context = CheckContext(site, profile, run, actor)
        if changed:
            context.counts["changed"] = changed

        def on_step(step: Step[CheckContext]) -> None:
            run.step = step.name
            run.save(update_fields=["step"])

        run_steps(files_check_steps(), context, on_step)
    if auto_restore:
        restore_if_attacked(context)
    return run


def why_not_watched(site: Site) -> str:
    """"" when the site can be watched here, else the reason."""
    profile = GuardProfile.objects.filter(site=site).first()  # none yet: the defaults guard the files
    if not site.is_active:
        return _("the site is not active")
    if profile is not None and not (profile.enabled and profile.files):
        return _("its guard profile does not check the files")
    if not site.web_root:
        return _("it has no web root")
    if not Path(site.web_root).is_dir():
        return _("its web root %(path)s is not a folder here") % {"path": site.web_root}
    return ""


def sites_to_watch(slugs: Sequence[str]) -> list[Site]:
    """The named sites (each must be watchable), or every site that can be watched here."""
    if not slugs:
        candidates = Site.objects.filter(is_active=True).exclude(web_root="").order_by("slug")
        return [site for site in candidates if not why_not_watched(site)]
    sites = []
    for slug in slugs:
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise WatchError(_("No site with the short name %(slug)r") % {"slug": slug})
        reason = why_not_watched(site)
        if reason:
            raise WatchError(_("%(slug)s cannot be watched: %(reason)s") % {"slug": slug, "reason": reason})
        sites.append(site)
    return sites


def keep_watching(root: Path, on_change: Callable[[set[str]], None], *, stop: threading.Event,
                  options: WatchOptions, ready: threading.Event, say: Say, name: str,
                  excludes: Sequence[str] = ()) -> None:
    """Call `on_change(paths)` after each burst of changes below `root` until `stop` is set; where inotify
    cannot be used, call `on_change({RESCAN_ALL})` every `options.rescan_every` seconds instead. `ready` is
    set once changes are seen (rescan once then: earlier ones were not)."""
    if not options.periodic:
        try:
            watch(root, on_change, stop=stop, debounce=options.debounce, max_delay=options.max_delay,
                  excludes=excludes, ready=ready)
            return
        except WatchLimitError as exc:
            say(_("%(site)s: %(error)s; rescanning every %(seconds)g s instead") % {
                "site": name, "error": exc.strerror, "seconds": options.rescan_every})
        except OSError as exc:
            say(_("%(site)s: %(root)s cannot be watched (%(error)s); rescanning every %(seconds)g s instead") % {
                "site": name, "root": root, "error": exc, "seconds": options.rescan_every})
    ready.set()
    while not stop.wait(options.rescan_every):
        on_change({RESCAN_ALL})


class SiteWatch:
    """One site in real-time mode: its web root watched in a thread, a files check after each burst of
    changes and one as soon as the watch is up; never two checks of the site at a time."""

    def __init__(self, site: Site, options: WatchOptions, stop: threading.Event, say: Say, on_run: OnRun) -> None:
        self.site, self.options, self.stop, self.say, self.on_run = site, options, stop, say, on_run
        self.ready = threading.Event()
        self.one_at_a_time = threading.Lock()
        self.threads = [threading.Thread(target=self.watch, name=f"guard-watch-{site.slug}", daemon=True),
                        threading.Thread(target=self.first_check, name=f"guard-first-{site.slug}", daemon=True)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def is_alive(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout)

    def watch(self) -> None:
        from jagaweb.guard.inside import excludes_for

        try:
            keep_watching(Path(self.site.web_root), self.changed, stop=self.stop, options=self.options,
                          ready=self.ready, say=self.say, name=self.site.slug, excludes=excludes_for(self.site))
        except Exception as exc:  # one site's failure must not end the watch of the others
            self.say(_("%(site)s: the watch stopped: %(error)s") % {
                "site": self.site.slug, "error": f"{type(exc).__name__}: {exc}"})
        finally:
            self.ready.set()  # a first check still waiting is let go
            connection.close()  # this thread's own connection

    def first_check(self) -> None:
        try:
            while not self.ready.wait(0.2):
                if self.stop.is_set():
                    return
            if not self.stop.is_set():
                self.changed({RESCAN_ALL})
        finally:
            connection.close()

    def changed(self, paths: set[str]) -> None:
        with self.one_at_a_time:
            close_old_connections()  # a long-lived thread: a connection the server dropped is made again
            try:
                run = check_files(self.site, changed=len(paths - {RESCAN_ALL}))
            except Exception as exc:  # the run holds the error and alerted: keep watching
                self.say(_("%(site)s: the check failed: %(error)s") % {"site": self.site.slug, "error": exc})
                return
            self.on_run(self.site, run)


def watch_sites(sites: Sequence[Site], *, stop: threading.Event, options: WatchOptions, say: Say,
                on_run: OnRun) -> None:
    """Watch every site until `stop` is set (or every watch has ended), each in threads of its own; returns
    once their checks under way have finished."""
    watches = [SiteWatch(site, options, stop, say, on_run) for site in sites]
    for started in watches:
        started.start()
    try:
        while not stop.wait(0.5):
            if not any(started.is_alive() for started in watches):
                break
    finally:
        stop.set()
        for started in watches:
            started.join(STOP_WAIT)
