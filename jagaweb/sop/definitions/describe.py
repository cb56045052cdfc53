"""A definition as plain text for people (`jagaweb sop show`): the header, the performers, the steps."""

from __future__ import annotations

import textwrap

from django.utils.translation import gettext as _

from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import Symbol
from jagaweb.sop.definitions.model import Header, Performer, SopDefinition, Step

WIDTH = 100
INDENT = "      "


def describe(definition: SopDefinition) -> str:
    origin = _("built-in") if definition.builtin else definition.source
    lines = [f"{definition.name} ({origin})", definition.header.nama, ""]
    if definition.based_on:
        lines.insert(2, _("Based on: %(name)s") % {"name": definition.based_on})
    lines += describe_header(definition.header)
    lines += ["", _("Performers:")] + [describe_performer(performer) for performer in definition.performers.values()]
    lines += ["", _("Steps:")]
    for step in definition.steps:
        lines += describe_step(step, definition)
    if definition.triggers:
        lines += ["", _("Started by:")] + [
            f"  {trigger.event.label}: {_('step')} {trigger.step}" for trigger in definition.triggers]
    return "\n".join(lines)


def describe_header(header: Header) -> list[str]:
    fields = [
        ("Nomor SOP", header.nomor), ("Instansi", header.instansi), ("Unit", header.unit),
        ("Tanggal Pembuatan", header.tanggal_pembuatan), ("Tanggal Revisi", header.tanggal_revisi),
        ("Tanggal Efektif", header.tanggal_efektif),
    ]
    lines = [f"{label}: {value.strftime('%d-%m-%Y') if hasattr(value, 'strftime') else value}"
             for label, value in fields if value]
    if header.disahkan_oleh:
        approver = header.disahkan_oleh
        lines.append("Disahkan Oleh: " + ", ".join(part for part in (
            approver.jabatan, approver.nama, f"NIP {approver.nip}" if approver.nip else "") if part))
    lists = [("Dasar Hukum", header.dasar_hukum), ("Kualifikasi Pelaksana", header.kualifikasi_pelaksana),
             ("Keterkaitan", header.keterkaitan), ("Peralatan / Perlengkapan", header.peralatan),
             ("Pencatatan dan Pendataan", header.pencatatan)]
    for label, items in lists:
        if items:
            lines.append(f"{label}:")
            lines += [wrap(f"{index}. {item}", "  ", "     ") for index, item in enumerate(items, 1)]
    if header.peringatan:
        lines.append(wrap(f"Peringatan: {header.peringatan}", "", "  "))
    if header.keterangan:
        lines.append("Keterangan:")
        lines += [f"  {line}" for line in header.keterangan.splitlines()]
    return lines


def describe_performer(performer: Performer) -> str:
    notes = [RoleKind(performer.role).label if performer.role else _("no JagaWeb role")]
    if performer.external:
        notes.append(_("external"))
    return f"  {performer.id}: {performer.label} ({', '.join(str(note) for note in notes)})"


def describe_step(step: Step, definition: SopDefinition) -> list[str]:
    performer = definition.performer_of(step).label
    lines = [wrap(f"[{Symbol(step.symbol).label}] {performer}: {step.activity}", f"{step.number:>3}. ", INDENT)]
    details = [("Kelengkapan", step.kelengkapan), ("Waktu", str(step.waktu) if step.waktu else "-"),
               ("Output", step.output), ("Keterangan", step.keterangan)]
    lines += [wrap(f"{label}: {value}", INDENT, INDENT + "  ") for label, value in details if value]
    if step.symbol == Symbol.DECISION:
        lines.append(f"{INDENT}Ya -> {step.yes}, Tidak -> {step.no}")
    elif step.next is not None:
        lines.append(f"{INDENT}-> {step.next}")
    extras = [str(automation.kind.label) for automation in step.automations]
    if step.involves:
        extras.append(_("with %(performers)s") % {
            "performers": ", ".join(definition.performers[other].label for other in step.involves)})
    if step.waits_for_requester:
        extras.append(_("the clock stops while the requester is waited for"))
    if step.escalation:
        extras.append(_("escalates to %(performer)s") % {"performer": definition.performers[step.escalation].label})
    lines += [wrap(f"* {extra}", INDENT, INDENT + "  ") for extra in extras]
    return lines


def wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=first, subsequent_indent=rest)
