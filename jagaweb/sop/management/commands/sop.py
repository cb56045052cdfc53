"""`jagaweb sop validate FILE...`, `jagaweb sop list`, `jagaweb sop show NAME_OR_FILE`,
`jagaweb sop copy NAME DEST.yaml [--force]`,
`jagaweb sop render NAME_OR_FILE [--pdf OUT] [--html OUT]`.

Each subcommand is a `do_<name>` method with its arguments declared in `add_arguments`; the run
commands (start, runs) join them the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jagaweb.sop import cli_runs
from jagaweb.sop.definitions import (
    DefinitionError,
    SopDefinition,
    builtin_definitions,
    copy_text,
    definitions,
    institution_directory,
    institution_files,
    load_definition,
)
from jagaweb.sop.definitions.describe import describe

SUFFIX = ".yaml"


class Command(BaseCommand):
    help = "SOP definitions: validate, list, show, copy and render them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        validate = sub.add_parser("validate", help="check definition files; each mistake as FILE:LINE: field: message")
        validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
        sub.add_parser("list", help="the built-in definitions and the institution's own")
        show = sub.add_parser("show", help="a definition as readable text")
        show.add_argument("name", metavar="NAME_OR_FILE")
        copy = sub.add_parser("copy", help="copy a definition for the institution to adapt")
        copy.add_argument("name", metavar="NAME")
        copy.add_argument("destination", metavar="DEST.yaml",
                          help="a file name alone goes into the institution's definitions directory")
        copy.add_argument("--force", action="store_true", help="overwrite DEST when it exists")
        render = sub.add_parser("render", help="the official SOP document as HTML and/or PDF (A4 landscape)")
        render.add_argument("name", metavar="NAME_OR_FILE")
        render.add_argument("--pdf", type=Path, metavar="OUT", help="write the PDF here (printed by Chromium)")
        render.add_argument("--html", type=Path, metavar="OUT", help="write the self-contained HTML here")
        cli_runs.add_run_parsers(sub)  # runs, start, step

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action.replace('-', '_')}")(options)

    def do_runs(self, options: dict[str, Any]) -> None:
        cli_runs.list_runs(options, self.stdout.write)

    def do_start(self, options: dict[str, Any]) -> None:
        cli_runs.start(options, self.stdout.write)

    def do_step(self, options: dict[str, Any]) -> None:
        cli_runs.complete(options, self.stdout.write)

    def do_validate(self, options: dict[str, Any]) -> None:
        files: list[Path] = options["files"]
        invalid = 0
        for path in files:
            try:
                definition = load_definition(path, source_name=str(path))
            except DefinitionError as exc:
                invalid += 1
                for problem in exc.errors:
                    self.stderr.write(str(problem))
                continue
            self.stdout.write(_("%(file)s: valid (%(steps)s steps, %(performers)s performers)") % {
                "file": path, "steps": len(definition.steps), "performers": len(definition.performers)})
        if invalid:
            raise CommandError(_("%(invalid)s of %(total)s definition files are invalid.") % {
                "invalid": invalid, "total": len(files)}, returncode=1)

    def do_list(self, options: dict[str, Any]) -> None:
        builtins = builtin_definitions()
        local = institution_files()
        replaced = {entry.definition.name for entry in local if entry.definition is not None}
        rows = [(name, _("built-in, replaced") if name in replaced else _("built-in"), definition)
                for name, definition in builtins.items()]
        rows += [(entry.definition.name, _("institution"), entry.definition)
                 for entry in local if entry.definition is not None]
        width = max(len(name) for name, _kind, _definition in rows)
        steps_word = _("steps")
        for name, kind, definition in rows:
            self.stdout.write(f"{name:<{width}}  {kind:<20}  {len(definition.steps):>3} {steps_word}  "
                              f"{definition.header.nama}")
        for entry in local:
            if entry.definition is None:
                self.stdout.write(_("%(file)s: invalid, %(count)s problems; first: %(problem)s") % {
                    "file": entry.path, "count": len(entry.errors), "problem": entry.errors[0]})
        self.stdout.write(_("Institution definitions: %(directory)s") % {"directory": institution_directory()})

    def do_show(self, options: dict[str, Any]) -> None:
        self.stdout.write(describe(self.find(options["name"])))

    def do_copy(self, options: dict[str, Any]) -> None:
        name: str = options["name"]
        destination = self.destination(options["destination"])
        if destination.exists() and not options["force"]:
            raise CommandError(_("%(path)s exists; add --force to overwrite it.") % {"path": destination})
        try:
            text = copy_text(name)
        except KeyError:
            raise CommandError(self.unknown(name)) from None
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {
                "path": destination, "error": exc.strerror or exc}) from exc
        self.stdout.write(_("Copied %(name)s to %(path)s. Adapt it, then check it with: jagaweb sop validate "
                            "%(path)s") % {"name": name, "path": destination})

    def do_render(self, options: dict[str, Any]) -> None:
        # Imported here so that the other subcommands do not load Playwright.
        from jagaweb.sop.render import PdfUnavailable, render_html, render_pdf

        if options["pdf"] is None and options["html"] is None:
            raise CommandError(_("Say where to write the document: --pdf OUT and/or --html OUT."))
        definition = self.find(options["name"])
        try:
            if options["html"] is not None:
                options["html"].write_text(render_html(definition), encoding="utf-8")
                self.stdout.write(_("Wrote %(path)s") % {"path": options["html"]})
            if options["pdf"] is not None:
                render_pdf(definition, options["pdf"])
                self.stdout.write(_("Wrote %(path)s") % {"path": options["pdf"]})
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {
                "path": exc.filename, "error": exc.strerror or exc}) from exc
        except PdfUnavailable as exc:
            raise CommandError(str(exc)) from exc

    @staticmethod
    def destination(written: str) -> Path:
        path = Path(written)
        if path.suffix != SUFFIX:
            raise CommandError(_("The copy's file name must end in %(suffix)s.") % {"suffix": SUFFIX})
        # A bare file name means the institution's directory, where `list` and the runs find it.
        return institution_directory() / path if "/" not in written else path

    def find(self, name: str) -> SopDefinition:
        """A definition in use by name, or the one in a file."""
        path = Path(name)
        if path.suffix == SUFFIX or path.is_file():
            try:
                return load_definition(path, source_name=name)
            except DefinitionError as exc:
                raise CommandError(str(exc)) from None
        found = definitions().get(name)
        if found is None:
            raise CommandError(self.unknown(name))
        return found

    @staticmethod
    def unknown(name: str) -> str:
        return _("There is no definition named %(name)s. Known: %(names)s") % {
            "name": name, "names": ", ".join(definitions())}
