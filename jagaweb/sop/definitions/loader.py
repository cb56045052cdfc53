"""Read a definition file into a `SopDefinition`, or say everything that is wrong with it and where."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import AutomationKind, Symbol, TimeUnit, TriggerEvent
from jagaweb.sop.definitions.model import (
    Approver,
    Automation,
    Header,
    Performer,
    SopDefinition,
    Step,
    Trigger,
    Waktu,
)
from jagaweb.sop.definitions.nodes import NodeReader, line_of
from jagaweb.sop.definitions.problems import DefinitionError, Problem, did_you_mean, in_file_order
from jagaweb.sop.definitions.rules import LINKS, StepDraft, resolve_flow

TOP_KEYS = ("based_on", "header", "performers", "triggers", "steps")
HEADER_LISTS = ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan", "pencatatan")
HEADER_TEXTS = ("nama", "nomor", "instansi", "unit", "peringatan", "keterangan")
HEADER_DATES = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif")
HEADER_KEYS = (*HEADER_TEXTS, *HEADER_DATES, "disahkan_oleh", *HEADER_LISTS)
APPROVER_KEYS = ("jabatan", "nama", "nip")
PERFORMER_KEYS = ("label", "role", "external")
STEP_TEXTS = ("kelengkapan", "output", "keterangan")
STEP_KEYS = ("number", "symbol", "performer", "activity", *LINKS, *STEP_TEXTS, "waktu", "automation",
             "waits_for_requester", "escalation", "involves")
WAKTU_KEYS = ("value", "unit", "text")
TRIGGER_KEYS = ("event", "step")
PERFORMER_ID = re.compile(r"[a-z][a-z0-9_]*")
# A definition is a few kilobytes; anything far larger is not one, and is refused before parsing.
MAX_CHARS = 512 * 1024
UNNAMED_SOURCE = "<text>"


def load_definition(path_or_text: Path | str, *, source_name: str | None = None) -> SopDefinition:
    """The definition in a file (a Path) or in YAML text (a str); raises DefinitionError.

    `source_name` is the file name the errors name (default: the path, or "<text>"); its stem is the
    definition's name.
    """
    if isinstance(path_or_text, Path):
        source = source_name or str(path_or_text)
        try:
            text = path_or_text.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DefinitionError([Problem(source, None, "", _("cannot read the file: %(error)s") % {
                "error": getattr(exc, "strerror", None) or exc})]) from None
    else:
        source, text = source_name or UNNAMED_SOURCE, path_or_text
    definition, problems = parse(text, source)
    if definition is None:
        raise DefinitionError(problems)
    return definition


def validate_text(text: str, source_name: str) -> list[Problem]:
    """Every problem of the definition in `text`, in file order; empty when it is valid."""
    return in_file_order(parse(text, source_name)[1])


def parse(text: str, source: str) -> tuple[SopDefinition | None, list[Problem]]:
    reader = NodeReader(source)
    root = compose(text, reader)
    if root is None:
        return None, reader.problems
    definition = DefinitionParser(reader).definition(root, text)
    return (definition if not reader.problems else None), reader.problems


def compose(text: str, reader: NodeReader) -> yaml.Node | None:
    """The YAML node tree; None (with the problem reported) for text that is not one YAML mapping."""
    if len(text) > MAX_CHARS:
        reader.report_line(None, "", _("the file is too large to be a definition"))
        return None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        reader.report_line(int(mark.line) + 1 if mark else None, "", _("not valid YAML: %(error)s") % {
            "error": message})
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, at a position in the text
        reader.report_line(text.count("\n", 0, exc.position) + 1, "", _("not valid YAML: %(error)s") % {
            "error": exc.reason})
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        reader.report_line(None, "", _("not valid YAML: %(error)s") % {"error": type(exc).__name__})
        return None
    if root is None or NodeReader.is_null(root):
        reader.report_line(None, "", _("the file is empty"))
        return None
    return root


class DefinitionParser:
    """Turns the node tree into the model, reporting every mistake to the reader as it goes."""

    def __init__(self, reader: NodeReader) -> None:
        self.reader = reader
        self.step_numbers: list[int] = []  # in file order, also when the steps have mistakes

    def definition(self, root: yaml.Node, text: str) -> SopDefinition | None:
        parts = self.reader.mapping(root, "", TOP_KEYS, required=("header", "performers", "steps"))
        if parts is None:
            return None
        header = self.header(parts["header"]) if "header" in parts else None
        performers = self.performers(parts["performers"]) if "performers" in parts else {}
        steps_node = parts.get("steps")
        steps = self.steps(steps_node, performers) if steps_node is not None else ()
        triggers = self.triggers(parts["triggers"]) if "triggers" in parts else ()
        based_on = self.reader.text(parts.get("based_on"), "based_on")
        if header is None or self.reader.problems:
            return None
        return SopDefinition(
            name=Path(self.reader.source).stem, header=header, performers=performers, steps=steps,
            triggers=triggers, based_on=based_on, source=self.reader.source,
            digest=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        )

    def header(self, node: yaml.Node) -> Header | None:
        fields = self.reader.mapping(node, "header", HEADER_KEYS, required=("nama",))
        if fields is None:
            return None
        values: dict[str, Any] = {key: self.reader.text(fields.get(key), f"header.{key}") for key in HEADER_TEXTS}
        values |= {key: self.reader.text_list(fields.get(key), f"header.{key}") for key in HEADER_LISTS}
        values |= {key: self.reader.date(fields.get(key), f"header.{key}") for key in HEADER_DATES}
        if "disahkan_oleh" in fields:
            values["disahkan_oleh"] = self.approver(fields["disahkan_oleh"])
        return Header(**values)

    def approver(self, node: yaml.Node) -> Approver | None:
        """A mapping of jabatan, nama and NIP; or only the jabatan, written as text."""
        path = "header.disahkan_oleh"
        if isinstance(node, yaml.ScalarNode):
            jabatan = self.reader.text(node, path)
            return Approver(jabatan) if jabatan else None
        fields = self.reader.mapping(node, path, APPROVER_KEYS, required=("jabatan",))
        if fields is None:
            return None
        return Approver(*(self.reader.text(fields.get(key), f"{path}.{key}") for key in APPROVER_KEYS))

    def performers(self, node: yaml.Node) -> dict[str, Performer]:
        """Performers by id, in the order of the document's columns; `id: Label` is the short form."""
        if not isinstance(node, yaml.MappingNode):
            self.reader.report(node, "performers", _("expected performers as id: label lines"))
            return {}
        found: dict[str, Performer] = {}
        for key_node, value_node in node.value:
            performer_id = self.reader.text(key_node, "performers")
            path = f"performers.{performer_id}"
            if not PERFORMER_ID.fullmatch(performer_id):
                self.reader.report(key_node, path, _(
                    "an id is lower-case letters, digits and _, starting with a letter (e.g. kasi_portal)"))
                continue
            if performer_id in found:
                self.reader.report(key_node, path, _("this performer is declared twice"))
                continue
            found[performer_id] = self.performer(performer_id, value_node, path)
        if not found and not self.reader.problems:
            self.reader.report(node, "performers", _("declare at least one performer"))
        return found

    def performer(self, performer_id: str, node: yaml.Node, path: str) -> Performer:
        line = line_of(node)
        if isinstance(node, yaml.ScalarNode):
            return Performer(performer_id, self.reader.text(node, f"{path}.label", required=True), line=line)
        fields = self.reader.mapping(node, path, PERFORMER_KEYS, required=("label",)) or {}
        role = self.reader.choice(fields.get("role"), f"{path}.role", RoleKind.values)
        return Performer(
            performer_id, self.reader.text(fields.get("label"), f"{path}.label"),
            role=RoleKind(role) if role else None,
            external=self.reader.boolean(fields.get("external"), f"{path}.external"), line=line,
        )

    def steps(self, node: yaml.Node, performers: dict[str, Performer]) -> tuple[Step, ...]:
        items = self.reader.sequence(node, "steps")
        if not items:
            if not self.reader.is_null(node) and not isinstance(node, yaml.SequenceNode):
                return ()  # already reported as not a list
            self.reader.report(node, "steps", _("a definition needs steps: at least a start and an end"))
            return ()
        drafts = [draft for draft in (self.draft(position, item, performers)
                                      for position, item in enumerate(items, 1)) if draft is not None]
        self.step_numbers = [draft.number for draft in drafts if draft.number is not None]
        following = resolve_flow(drafts, self.reader, node)
        if self.reader.problems:
            return ()
        return tuple(
            Step(number=draft.number or 0, symbol=Symbol(draft.symbol), next=next_number,
                 yes=draft.links["yes"][0] if "yes" in draft.links else None,
                 no=draft.links["no"][0] if "no" in draft.links else None, line=draft.line, **draft.fields)
            for draft, next_number in zip(drafts, following, strict=True)
        )

    def draft(self, position: int, node: yaml.Node, performers: dict[str, Performer]) -> StepDraft | None:
        draft = StepDraft(position=position, line=line_of(node))
        draft.number = NodeReader(self.reader.source).integer(number_node(node), "")  # to name the step early
        fields = self.reader.mapping(node, draft.path, STEP_KEYS, required=("number", "performer", "activity"))
        if fields is None:
            return None
        if "number" in fields:
            draft.number = self.reader.integer(fields["number"], f"{draft.path}.number")
            draft.number_line = line_of(fields["number"])
        path = draft.path
        symbol = self.reader.choice(fields.get("symbol"), f"{path}.symbol", Symbol.values)
        draft.symbol = symbol if symbol or "symbol" in fields else Symbol.PROCESS  # process unless told
        for link in LINKS:
            if link in fields:
                target = self.reader.integer(fields[link], f"{path}.{link}")
                if target is not None:
                    draft.links[link] = (target, line_of(fields[link]))
        draft.fields = {
            "activity": self.reader.text(fields.get("activity"), f"{path}.activity", required=True),
            "performer": self.performer_id(fields.get("performer"), f"{path}.performer", performers),
            "waktu": self.waktu(fields["waktu"], f"{path}.waktu") if "waktu" in fields else None,
            "automations": self.automations(fields.get("automation"), f"{path}.automation"),
            "waits_for_requester": self.reader.boolean(fields.get("waits_for_requester"),
                                                       f"{path}.waits_for_requester"),
            "escalation": self.performer_id(fields.get("escalation"), f"{path}.escalation", performers) or None,
            "involves": self.involves(fields.get("involves"), f"{path}.involves", performers),
        } | {key: self.reader.text(fields.get(key), f"{path}.{key}") for key in STEP_TEXTS}
        return draft

    def performer_id(self, node: yaml.Node | None, path: str, performers: dict[str, Performer]) -> str:
        performer_id = self.reader.text(node, path)
        if performer_id and performers and performer_id not in performers:
            self.reader.report(node, path, _('"%(id)s" is not a declared performer') % {"id": performer_id}
                               + did_you_mean(performer_id, performers))
        return performer_id

    def involves(self, node: yaml.Node | None, path: str, performers: dict[str, Performer]) -> tuple[str, ...]:
        if node is None:
            return ()
        items = self.reader.sequence(node, path)
        return tuple(self.performer_id(item, f"{path}[{index}]", performers) for index, item in enumerate(items, 1))

    def waktu(self, node: yaml.Node, path: str) -> Waktu | None:
        """{value, unit[, text]}; an empty waktu means the document gives no time (no due time)."""
        if self.reader.is_null(node):
            return None
        fields = self.reader.mapping(node, path, WAKTU_KEYS, required=("value", "unit"))
        if fields is None or "value" not in fields or "unit" not in fields:
            return None
        value = self.reader.number(fields["value"], f"{path}.value")
        unit = self.reader.choice(fields["unit"], f"{path}.unit", TimeUnit.values)
        if value is None or not unit:
            return None
        return Waktu(value, TimeUnit(unit), self.reader.text(fields.get("text"), f"{path}.text"))

    def automations(self, node: yaml.Node | None, path: str) -> tuple[Automation, ...]:
        """One {kind: ...} mapping, or a list of them."""
        if node is None or self.reader.is_null(node):
            return ()
        items = self.reader.sequence(node, path) if isinstance(node, yaml.SequenceNode) else [node]
        found = []
        for index, item in enumerate(items, 1):
            where = f"{path}[{index}]" if isinstance(node, yaml.SequenceNode) else path
            fields = self.reader.mapping(item, where, ("kind",), required=("kind",))
            kind = self.reader.choice(fields.get("kind"), f"{where}.kind", AutomationKind.values) if fields else ""
            if kind:
                found.append(Automation(AutomationKind(kind)))
        return tuple(found)

    def triggers(self, node: yaml.Node) -> tuple[Trigger, ...]:
        """Each {event[, step]}; a run started by the event begins at `step` (default: the start step)."""
        found: list[Trigger] = []
        for index, item in enumerate(self.reader.sequence(node, "triggers"), 1):
            path = f"triggers[{index}]"
            fields = self.reader.mapping(item, path, TRIGGER_KEYS, required=("event",))
            if fields is None:
                continue
            event = self.reader.choice(fields.get("event"), f"{path}.event", TriggerEvent.values)
            numbers = self.step_numbers
            step = self.reader.integer(fields["step"], f"{path}.step") if "step" in fields else next(
                iter(numbers), None)
            if "step" in fields and step is not None and numbers and step not in numbers:
                self.reader.report(fields["step"], f"{path}.step", _("there is no step %(number)s") % {
                    "number": step})
            elif event and any(trigger.event == event for trigger in found):
                self.reader.report(fields["event"], f"{path}.event", _("this event is already listed"))
            elif event and step is not None:
                found.append(Trigger(TriggerEvent(event), step))
        return tuple(found)


def number_node(node: yaml.Node) -> yaml.Node | None:
    """The value node of a step's `number` key, if the step is a mapping that has one."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "number":
                return value_node
    return None
