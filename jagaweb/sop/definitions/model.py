"""The in-memory SOP definition: frozen dataclasses made only by the loader, always valid once made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import AutomationKind, Symbol, TimeUnit, TriggerEvent


@dataclass(frozen=True)
class Waktu:
    """A step's time standard (Mutu Baku: Waktu). `text` keeps a document's own wording where the value
    and unit alone cannot say it (a range such as "1 jam - 3 hari": the value is its upper bound)."""

    value: Decimal
    unit: TimeUnit
    text: str = ""

    def __str__(self) -> str:
        if self.text:
            return self.text
        return f"{self.value.normalize():f} {TimeUnit(self.unit).label}"


@dataclass(frozen=True)
class Approver:
    """Disahkan Oleh: the official who signs the SOP."""

    jabatan: str
    nama: str = ""
    nip: str = ""


@dataclass(frozen=True)
class Header:
    """The identity table of the SOP AP document; lists keep the document's order."""

    nama: str
    nomor: str = ""
    instansi: str = ""
    unit: str = ""
    tanggal_pembuatan: date | None = None
    tanggal_revisi: date | None = None
    tanggal_efektif: date | None = None
    disahkan_oleh: Approver | None = None
    dasar_hukum: tuple[str, ...] = ()
    kualifikasi_pelaksana: tuple[str, ...] = ()
    keterkaitan: tuple[str, ...] = ()
    peralatan: tuple[str, ...] = ()
    peringatan: str = ""
    pencatatan: tuple[str, ...] = ()
    keterangan: str = ""  # the note printed under the activity table


@dataclass(frozen=True)
class Performer:
    """A Pelaksana column. `role` says which JagaWeb role's holders do its steps (None: nobody in JagaWeb,
    e.g. a member of the public); `external` marks a requester or a third party outside the institution."""

    id: str
    label: str
    role: RoleKind | None = None
    external: bool = False
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Automation:
    kind: AutomationKind


@dataclass(frozen=True)
class Step:
    """One numbered activity. `next` is the step that follows a start or process step (already resolved:
    a step without an explicit `next` goes on to the following step of the file); a decision goes on
    through `yes` (Ya) or `no` (Tidak); an end step has none of the three."""

    number: int
    activity: str
    performer: str
    symbol: Symbol
    next: int | None = None
    yes: int | None = None
    no: int | None = None
    kelengkapan: str = ""
    waktu: Waktu | None = None  # None: the document gives no time, the step has no due time
    output: str = ""
    keterangan: str = ""
    automations: tuple[Automation, ...] = ()
    waits_for_requester: bool = False  # while it waits for the requester, the step's clock stops
    escalation: str | None = None  # a performer id; None: the next role up
    involves: tuple[str, ...] = ()  # other performers taking part, e.g. a third party called in
    line: int = field(default=0, compare=False)

    @property
    def targets(self) -> tuple[int, ...]:
        """The numbers of the steps this one can lead to."""
        return tuple(number for number in (self.next, self.yes, self.no) if number is not None)


@dataclass(frozen=True)
class Trigger:
    """An event that starts a run of this SOP, and the step where such a run begins."""

    event: TriggerEvent
    step: int


@dataclass(frozen=True)
class SopDefinition:
    """One SOP. `performers` is ordered like the document's Pelaksana columns; `steps` by number.

    `name` is the file's stem (the name `jagaweb sop` commands use); `source` the file name errors name;
    `digest` the SHA-256 of the file's text, so that a run can tell which version of a definition it
    followed; `based_on` the name of the definition an institution copied this one from.
    """

    name: str
    header: Header
    performers: dict[str, Performer]
    steps: tuple[Step, ...]
    triggers: tuple[Trigger, ...] = ()
    based_on: str = ""
    builtin: bool = field(default=False, compare=False)
    source: str = field(default="", compare=False)
    digest: str = field(default="", compare=False)

    def step(self, number: int) -> Step:
        """The step with this number (KeyError when there is none)."""
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(number)

    @property
    def start(self) -> Step:
        return self.steps[0]  # the loader refuses a definition whose first step is not its start

    @property
    def ends(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.symbol == Symbol.END)

    def following(self, step: Step) -> tuple[Step, ...]:
        """The steps that can come right after `step`."""
        return tuple(self.step(number) for number in step.targets)

    def performer_of(self, step: Step) -> Performer:
        return self.performers[step.performer]

    def steps_of(self, performer_id: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.performer == performer_id)

    def entry_step(self, event: TriggerEvent | str) -> Step | None:
        """Where a run started by `event` begins; None when this SOP is not started by that event."""
        for trigger in self.triggers:
            if trigger.event == event:
                return self.step(trigger.step)
        return None
