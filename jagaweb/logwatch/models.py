"""The visitor activity watch's records: where each access log was read up to (LogCursor), the per-site
state carried between runs (WatchState), the daily visitor figures (DailyVisitors, with the visitor keys
that keep their unique counts exact), and the attack findings grouped per client into incidents.

Findings, incidents and daily figures of a run are written in the same transaction as the cursors, so a
run that dies half-way leaves nothing behind and the next one starts where the last commit ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.logwatch.choices import Category, Severity

SEVERITY_ORDER = [str(value) for value in Severity.values]


def severity_rank(severity: str) -> int:
    """Position on the guard's scale (info lowest); an empty or unknown value ranks below info."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else -1


# These three belong in choices.py (owned by the detection work); they live here until they move.
class IncidentState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class VisitorKeyKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor (address, user agent and day)")
    CLIENT = "client", _("Client address")


class CloseReason(models.TextChoices):
    QUIET = "quiet", _("The client went quiet")
    BY_HAND = "by_hand", _("Closed by a person")


def empty_hours() -> list[int]:
    return [0] * 24


ROWS_PER_INSERT = 100  # parameters per statement stay under every SQLite's limit (999) for up to 9 columns


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                skip_existing: bool = False) -> None:
    """Multi-row INSERTs of plain values (already in the database's form) for tables written by the thousand
    per run: bulk_create spends most of its time building a model instance per row. With `skip_existing`,
    rows that would break a unique constraint are left out (SQLite and PostgreSQL spell it differently)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_insert = max(ROWS_PER_INSERT * 9 // max(len(columns), 1), 1)
    if connection.vendor == "postgresql":
        # psycopg sends the rows of executemany in one pipeline: faster there than long VALUES lists
        sql = f"INSERT INTO {table} ({names}) VALUES {one}"  # noqa: S608 (names from the model's metadata)
        with connection.cursor() as cursor:
            cursor.executemany(f"{sql} ON CONFLICT DO NOTHING" if skip_existing else sql, rows)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_insert):
            part = rows[start:start + per_insert]
            # names from the model's metadata, every value a parameter
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))}"  # noqa: S608
            if skip_existing:
                sql = (sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1) if connection.vendor == "sqlite"
                       else f"{sql} ON CONFLICT DO NOTHING")
            cursor.execute(sql, [value for row in part for value in row])


class LogCursor(models.Model):
    """How far one access log of a site has been read: the file (device and inode, and a fingerprint of its
    first bytes to notice a file truncated and written again), the byte offset and the next line number."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="log_cursors")
    path = models.CharField(_("path"), max_length=500)
    device = models.BigIntegerField(default=0)
    inode = models.BigIntegerField(default=0)
    offset = models.BigIntegerField(_("offset"), default=0)
    next_line = models.BigIntegerField(_("next line"), default=1)
    size = models.BigIntegerField(_("size"), default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    fingerprint_bytes = models.PositiveIntegerField(default=0)
    log_format = models.CharField(_("format"), max_length=20, blank=True)
    format_state = models.JSONField(default=dict, blank=True)  # e.g. a W3C file's current #Fields
    lines = models.BigIntegerField(_("lines read"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["site", "path"]
        constraints = [models.UniqueConstraint(fields=["site", "path"], name="logwatch_cursor_once")]
        verbose_name = _("log cursor")
        permissions = [("ingest_logs", _("Can read a site's access logs now"))]

    def __str__(self) -> str:
        return f"{self.path} @ {self.offset}"


class WatchState(models.Model):
    """What a site's log reading carries from one run to the next: the behaviour windows (Arrow IPC, not
    pickle), the times of recent alerts (for the hourly limit) and a generation number that each commit
    moves on, so two runs for one site can never both commit the same lines."""

    site = models.OneToOneField(Site, primary_key=True, on_delete=models.CASCADE, related_name="log_watch")
    generation = models.BigIntegerField(default=0)
    behaviour_events = models.BinaryField(default=b"", blank=True)
    behaviour_alerts = models.BinaryField(default=b"", blank=True)
    behaviour_version = models.CharField(max_length=40, blank=True)
    alert_times = models.JSONField(default=list, blank=True)
    last_run_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_lines = models.BigIntegerField(_("lines in the last read"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("log watch state")

    def __str__(self) -> str:
        return str(self.site)


class DailyVisitors(models.Model):
    """One day of a site's visitors in the institution's time zone (the SOP's "log aktivitas pengunjung").

    Sums add up across runs; top lists keep the largest `daily.TOP_KEPT` entries (an entry pushed out and
    seen again later restarts from its new count). Visitors (address + user agent) and clients (address)
    are exact while the day's visitor keys are kept (today and yesterday); `exact` turns false when they
    are pruned, and lines for that day read later add their own distinct counts (an upper bound)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="daily_visitors")
    date = models.DateField(_("date"))
    requests = models.BigIntegerField(_("requests"), default=0)
    visitors = models.BigIntegerField(_("unique visitors"), default=0)
    clients = models.BigIntegerField(_("clients"), default=0)
    pages = models.BigIntegerField(_("pages"), default=0)
    bandwidth = models.BigIntegerField(_("bandwidth"), default=0)
    not_found = models.BigIntegerField(_("not found"), default=0)
    crawler_requests = models.BigIntegerField(_("crawler requests"), default=0)
    unparsed = models.BigIntegerField(_("unparsed lines"), default=0)
    exact = models.BooleanField(_("exact unique counts"), default=True)
    statuses = models.JSONField(default=dict, blank=True)  # "200" -> requests
    hours = models.JSONField(default=empty_hours, blank=True)  # requests per local hour, 0-23
    top_pages = models.JSONField(default=dict, blank=True)
    top_not_found = models.JSONField(default=dict, blank=True)
    top_referrers = models.JSONField(default=dict, blank=True)  # referring site -> requests
    top_agents = models.JSONField(default=dict, blank=True)
    top_crawlers = models.JSONField(default=dict, blank=True)
    top_clients = models.JSONField(default=dict, blank=True)
    browsers = models.JSONField(default=dict, blank=True)
    systems = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-date", "site"]
        constraints = [models.UniqueConstraint(fields=["site", "date"], name="logwatch_daily_once")]
        verbose_name = _("daily visitors")
        verbose_name_plural = _("daily visitors")

    def __str__(self) -> str:
        return f"{self.site} {self.date}"


class VisitorKey(models.Model):
    """A 64-bit hash of one visitor (or client) of one day: the set that makes unique counts exact across
    runs. Kept for today and yesterday only (see jobs.py)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=7, choices=VisitorKeyKind.choices)
    key = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "date", "kind", "key"], name="logwatch_key_once")]
        verbose_name = _("visitor key")

    def __str__(self) -> str:
        return f"{self.site_id} {self.date} {self.kind} {self.key}"


class Incident(models.Model):
    """What one client did to one site, from its first finding until it stayed quiet for a while."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="log_incidents")
    ip = models.CharField(_("client"), max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=IncidentState.choices, default=IncidentState.OPEN)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    finding_count = models.PositiveIntegerField(_("findings"), default=0)
    stored_findings = models.PositiveIntegerField(default=0)  # findings kept as rows (capped per incident)
    categories = models.JSONField(default=dict, blank=True)  # category -> findings
    rules = models.JSONField(default=dict, blank=True)  # rule -> findings
    alerted_severity = models.CharField(max_length=10, blank=True)  # the severity last sent as an alert
    alert_pending = models.BooleanField(default=False)  # over the hourly limit: goes out in the next summary
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(_("closed because"), max_length=10, choices=CloseReason.choices, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        indexes = [models.Index(fields=["site", "state"]), models.Index(fields=["ip"]),
                   models.Index(fields=["site", "-last_seen"])]
        constraints = [models.UniqueConstraint(fields=["site", "ip"], condition=Q(state="open"),
                                               name="logwatch_one_open_incident")]
        verbose_name = _("incident")
        permissions = [("export_blocklist", _("Can export a blocklist of attacking addresses"))]

    def __str__(self) -> str:
        return f"{self.ip} @ {self.site}"

    def get_absolute_url(self) -> str:
        return reverse("logwatch:incident_detail", args=[self.pk])

    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(name, name)) for name, _count in
                sorted(self.categories.items(), key=lambda item: (-item[1], item[0]))]


class LogFinding(models.Model):
    """One suspicious request (or behaviour) read in a site's access log."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="log_findings")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="findings")
    time = models.DateTimeField(_("time"))
    ip = models.CharField(_("client"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    rule = models.CharField(_("rule"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    request = models.TextField(_("request"), blank=True)
    file = models.CharField(_("file"), max_length=500)
    line = models.BigIntegerField(_("line"))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-time", "-pk"]
        indexes = [models.Index(fields=["site", "-time"]), models.Index(fields=["site", "category"]),
                   models.Index(fields=["incident", "time"]), models.Index(fields=["ip"]),
                   models.Index(fields=["time"])]
        verbose_name = _("log finding")

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.ip} {self.time:%Y-%m-%d %H:%M:%S}"
