"""SOP definitions: YAML files in the SOP AP format (Permenpan RB 35/2012), read into a checked model.

File format (keys in the document's own Indonesian where it has them)::

    based_on: pemeliharaan_website      # optional: the definition this one was copied from
    header:                             # the identity table; only nama is required
      nama: Pemeliharaan Website
      nomor: SOP-21.04.1.3.1.1-4
      instansi: ...                     # unit: ...
      tanggal_pembuatan: 01-09-2017     # also tanggal_revisi, tanggal_efektif (or 2017-09-01)
      disahkan_oleh: {jabatan: ..., nama: ..., nip: ...}   # or only the jabatan, as text
      dasar_hukum: [...]                # lists: kualifikasi_pelaksana, keterkaitan, peralatan, pencatatan
      peringatan: ...                   # text; keterangan: the note under the activity table
    performers:                         # the Pelaksana columns, in the document's order
      admin_website: {label: Admin Website, role: operator}   # role: a people RoleKind
      pihak_ketiga: {label: Pihak ke-3, role: third_party, external: true}
      kasi: Kasi Portal Web             # short form: the label only
    triggers:                           # optional: events that start a run, and where it begins
      - {event: incident, step: 5}      # TriggerEvent; step defaults to the start step
    steps:
      - number: 1                       # unique, increasing down the file
        symbol: start                   # start / process (the default) / decision / end
        performer: admin_website
        activity: ...                   # Kegiatan, verbatim
        next: 2                         # optional for start/process: the following step by default
        yes: 6                          # decision only: the Ya and Tidak targets, both required
        no: 11
        kelengkapan: ...                # Mutu Baku: text, as the document words it
        waktu: {value: 1, unit: days}   # TimeUnit; text: "1 jam - 3 hari" keeps a range's wording;
                                        # no waktu: the step has no due time
        output: ...
        keterangan: ...
        automation: {kind: backup.run}  # AutomationKind, or a list of them: the result is evidence
        waits_for_requester: true       # the clock stops while the requester is waited for
        escalation: kasubbag            # a performer id; by default the next role up
        involves: [pihak_ketiga]        # others taking part (a third party called in)

Rules (`rules.py`): one start, the first step; at least one end; a decision has yes and no and no
next; an end has none of them; every target and performer exists; every step is reachable from the
start and can reach an end. Every mistake is a `Problem(file, line, field, message)`, printed
"FILE:LINE: field: message"; unknown keys are reported with the closest known one.

In memory (`model.py`, frozen dataclasses, valid by construction):
`SopDefinition(name, header: Header, performers: dict[str, Performer], steps: tuple[Step, ...],
triggers, based_on, builtin, source, digest)`; each `Step` has its resolved `next` (fall-through
applied), `yes`/`no`, `waktu: Waktu | None` (value: Decimal, unit: TimeUnit, text) and
`automations`. Runs assign a step to the holders of `definition.performer_of(step).role`, count its
due time from `step.waktu` (jagaweb.sop.calendar), and record `digest` to know the version they ran;
the renderer draws one column per performer, in order, and the symbols and arrows from
`step.symbol` and `step.targets`.

API: `load_definition(path_or_text, *, source_name=None) -> SopDefinition` (raises DefinitionError,
whose `errors` list the problems), `validate_text(text, source_name) -> list[Problem]`,
`builtin_definitions() -> dict[str, SopDefinition]`, `definitions()` (built-ins with the
institution's files, which replace a built-in of the same name), `get_definition(name)`,
`definitions_started_by(event)`, `institution_files()`, `copy_text(name)`.
"""

from jagaweb.sop.definitions.loader import load_definition, validate_text
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
from jagaweb.sop.definitions.problems import DefinitionError, Problem
from jagaweb.sop.definitions.registry import (
    BUILTIN_NAMES,
    InstitutionFile,
    builtin_definitions,
    builtin_text,
    copy_text,
    definitions,
    definitions_started_by,
    get_definition,
    institution_directory,
    institution_files,
)

__all__ = [
    "BUILTIN_NAMES",
    "Approver",
    "Automation",
    "DefinitionError",
    "Header",
    "InstitutionFile",
    "Performer",
    "Problem",
    "SopDefinition",
    "Step",
    "Trigger",
    "Waktu",
    "builtin_definitions",
    "builtin_text",
    "copy_text",
    "definitions",
    "definitions_started_by",
    "get_definition",
    "institution_directory",
    "institution_files",
    "load_definition",
    "validate_text",
]
