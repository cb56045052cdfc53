"""Forms of the monitoring pages: a check (its kind's options as fields), a maintenance window, a site's
monitoring profile and an organisation's status page. The check's options are validated by its kind
(`kind_of(kind).clean_config`), whose messages land next to the fields they are about."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.inventory.models import Site
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.checks.conditions import FIELD_LABELS, FIELD_OPS, MAX_CONDITIONS, TEXT_OPS, clean_conditions
from jagaweb.monitor.checks.dns import RECORD_TYPES
from jagaweb.monitor.checks.freshness import SOURCE_LABELS as FRESHNESS_SOURCES
from jagaweb.monitor.checks.heartbeat import MAX_SECONDS as HEARTBEAT_MAX
from jagaweb.monitor.checks.http import MAX_REDIRECTS
from jagaweb.monitor.checks.http import METHODS as HTTP_METHODS
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, MaintenanceWindow, MonitorProfile, StatusPage
from jagaweb.monitor.views import member_organisations
from jagaweb.people.scope import visible_sites

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text = StrPromise | str

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
OPTION_PREFIX = "option_"
MIN_INTERVAL = 10
MAX_TIMEOUT = 120
FieldMaker = Callable[[], forms.Field]


def whole(label: Text, help_text: Text = "", low: int = 0, high: int | None = None) -> FieldMaker:
    return lambda: forms.IntegerField(label=label, help_text=help_text, required=False, min_value=low,
                                      max_value=high)


def flag(label: Text, help_text: Text = "") -> FieldMaker:
    return lambda: forms.BooleanField(label=label, help_text=help_text, required=False)


def choice(label: Text, choices: list[tuple[str, Any]], help_text: Text = "") -> FieldMaker:
    return lambda: forms.ChoiceField(label=label, help_text=help_text, required=False, choices=choices)


def several(label: Text, choices: list[tuple[str, str]], help_text: Text = "") -> FieldMaker:
    return lambda: forms.MultipleChoiceField(label=label, help_text=help_text, required=False, choices=choices,
                                             widget=forms.CheckboxSelectMultiple)


def lines(label: Text, help_text: Text = "") -> FieldMaker:
    return lambda: LinesField(label=label, help_text=help_text, required=False)


class LinesField(forms.CharField):
    """A list of strings, one per line; blank lines are dropped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.Textarea(attrs={"rows": 3}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(str(item) for item in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(line).strip() for line in value if str(line).strip()]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ConditionsWidget(forms.Widget):
    """Rows of field / comparison / value / otherwise, with a few empty rows to add more."""

    template_name = "monitor/widgets/conditions.html"
    spare_rows = 2

    def rows(self, value: Any) -> list[dict[str, Any]]:
        rows = [dict(row) for row in value if isinstance(row, dict)] if isinstance(value, list) else []
        return rows + [{} for _ in range(self.spare_rows)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            rows=self.rows(value), fields=list(FIELD_LABELS.items()), otherwise=[
                (Status.DOWN.value, Status.DOWN.label), (Status.DEGRADED.value, Status.DEGRADED.label)],
            ops=[op for op in dict.fromkeys(op for ops in FIELD_OPS.values() for op in ops)],
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, Any]]:
        try:
            count = min(int(data.get(f"{name}-count", 0)), MAX_CONDITIONS + self.spare_rows)
        except ValueError:
            count = 0
        rows = []
        for i in range(count):
            row = {key: (data.get(f"{name}-{i}-{key}") or "").strip() for key in ("field", "op", "value", "otherwise")}
            if not row["field"] and not row["value"]:
                continue  # an empty spare row
            row["ignore_case"] = data.get(f"{name}-{i}-ignore_case") == "on"
            rows.append(row)
        return rows

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-count" not in data


class ConditionsField(forms.Field):
    widget = ConditionsWidget

    def clean(self, value: Any) -> list[dict[str, Any]]:
        rows = []
        for row in value or []:
            row = {key: item for key, item in row.items() if item not in ("", None)}
            if row.get("op") not in TEXT_OPS:
                row.pop("ignore_case", None)  # the checkbox only means something for text comparisons
            rows.append(row)
        return clean_conditions(rows)


def text(label: Text, help_text: Text = "", input_type: str = "text") -> FieldMaker:
    return lambda: forms.CharField(label=label, help_text=help_text, required=False, max_length=500,
                                   widget=forms.TextInput(attrs={"type": input_type}))


def conditions(label: Text, help_text: Text = "") -> FieldMaker:
    return lambda: ConditionsField(label=label, help_text=help_text, required=False)


# Each kind's options that deserve a field of their own; others stay editable as JSON ("extra_options").
OPTIONS: dict[str, dict[str, FieldMaker]] = {
    CheckKind.HTTP: {
        "conditions": conditions(gettext_lazy("Conditions"), gettext_lazy(
            "Without conditions, any answer with a status from 200 to 399 is up. A failed condition makes the site "
            "down, or degraded if you say so; a keyword condition looks in the page's text.")),
        "match": choice(gettext_lazy("The site is up when"), [("all", gettext_lazy("every condition holds")),
                                                              ("any", gettext_lazy("at least one condition holds"))]),
        "method": choice(gettext_lazy("Request method"), [(m, m) for m in HTTP_METHODS],
                         gettext_lazy("HEAD transfers no page, so keyword and size conditions need GET.")),
        "max_redirects": whole(gettext_lazy("Follow at most this many redirects"), low=0, high=MAX_REDIRECTS),
        "verify_tls": flag(gettext_lazy("Verify the HTTPS certificate")),
    },
    CheckKind.TLS: {
        "warn_days": whole(gettext_lazy("Warn when fewer days are left"), low=0, high=365),
        "check_weak_protocols": flag(gettext_lazy("Warn when the server still accepts TLS 1.0 or 1.1")),
    },
    CheckKind.DNS: {
        "record_types": several(gettext_lazy("Records to watch"), [(t, t) for t in RECORD_TYPES]),
        "nameservers": lines(gettext_lazy("Ask these name servers"), gettext_lazy(
            "IP addresses, one per line (optionally with :port); empty: the server's own resolver.")),
    },
    CheckKind.DOMAIN: {
        "warn_days": whole(gettext_lazy("Warn when fewer days are left"), low=0, high=365),
        "rdap": flag(gettext_lazy("Ask the registry's RDAP server")),
        "whois": flag(gettext_lazy("Ask WHOIS when RDAP does not answer")),
        "whois_server": text(gettext_lazy("WHOIS server"), gettext_lazy("Empty: the usual server of the domain's "
                                                                        "ending; else a host name, optionally :port.")),
        "expires_on": text(gettext_lazy("Expiry date, entered by hand"), gettext_lazy(
            "Used only when neither RDAP nor WHOIS gives a date, e.g. from the registrar's invoice."), "date"),
    },
    CheckKind.FRESHNESS: {
        "source": choice(gettext_lazy("Where to read the newest content date"), [
            ("auto", gettext_lazy("Find it: sitemap, then feed, then the Last-Modified header")),
            *((name, capfirst(cast("StrPromise", label))) for name, label in FRESHNESS_SOURCES.items())]),
        "url": text(gettext_lazy("Address to read"), gettext_lazy(
            "A full http(s):// address; empty: /sitemap.xml, the feed the home page links, or the home page."), "url"),
        "selector": text(gettext_lazy("CSS selector of the latest news date"), gettext_lazy(
            "Only for the page element source, e.g. .berita-terbaru .tanggal")),
    },
    CheckKind.HEARTBEAT: {
        "period_seconds": whole(gettext_lazy("The job runs every (seconds)"), gettext_lazy(
            "Empty: the check's interval. 86400 is a daily job."), low=10, high=HEARTBEAT_MAX),
        "grace_seconds": whole(gettext_lazy("Grace (seconds)"), gettext_lazy(
            "How late a ping may come before the check is down."), low=0, high=HEARTBEAT_MAX),
    },
}


def defaults(kind: str) -> dict[str, Any]:
    """The options a new check of `kind` starts with: what the kind fills in when given none."""
    try:
        return kind_of(kind).clean_config({})
    except ValidationError:
        return {}  # a kind that needs options of its own has no defaults to show


def option_fields(kind: str) -> dict[str, forms.Field]:
    return {name: make() for name, make in OPTIONS.get(kind, {}).items()}


def condition_text(condition: dict[str, Any]) -> str:
    """One HTTP condition as a person reads it: 'keyword contains "Berita" (else Down)'."""
    field = str(FIELD_LABELS.get(condition.get("field", ""), condition.get("field", "")))
    value = condition.get("value", "")
    shown = f"“{value}”" if condition.get("op") in TEXT_OPS else str(value)
    case = _(" (ignoring case)") if condition.get("ignore_case") else ""
    otherwise = Status(condition["otherwise"]).label if condition.get("otherwise") in Status.values else ""
    return _("%(field)s %(op)s %(value)s%(case)s, else %(otherwise)s") % {
        "field": field, "op": condition.get("op", ""), "value": shown, "case": case, "otherwise": otherwise}


def option_text(field: forms.Field | None, value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, "", []):
        return "—"
    if isinstance(field, ConditionsField) and isinstance(value, list):
        return "; ".join(condition_text(item) for item in value if isinstance(item, dict))
    if isinstance(field, forms.ChoiceField) and not isinstance(value, list):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def describe_options(kind: str, config: dict[str, Any]) -> list[tuple[str, str]]:
    """A check's options as (label, value) for its page, worded like the form's fields."""
    fields = option_fields(kind)
    return [(str(fields[name].label) if name in fields else name, option_text(fields.get(name), value))
            for name, value in config.items()]


def split_config(kind: str, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The options that have a field, and the rest."""
    known = OPTIONS.get(kind, {})
    return ({k: v for k, v in config.items() if k in known}, {k: v for k, v in config.items() if k not in known})


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def check_interval(interval: int) -> int:
    """The page's and the API's rule: no check runs more often than every MIN_INTERVAL seconds."""
    if interval < MIN_INTERVAL:
        raise ValidationError(_("Check at most every %(seconds)s seconds.") % {"seconds": MIN_INTERVAL})
    return interval


def check_timeout(timeout: float) -> float:
    if not 1 <= timeout <= MAX_TIMEOUT:
        raise ValidationError(_("Give a timeout from 1 to %(seconds)s seconds.") % {"seconds": MAX_TIMEOUT})
    return timeout


class OptionalJSONField(forms.JSONField):
    """JSON that may be left empty: shown empty rather than as "null" or "{}"."""

    def prepare_value(self, value: Any) -> Any:
        return "" if value in (None, {}, "") else super().prepare_value(value)


class CheckForm(forms.ModelForm):
    """A check of one site. Its kind is chosen when it is made and stays; options follow the kind."""

    extra_options = OptionalJSONField(
        label=gettext_lazy("Other options (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Options without a field of their own, as a JSON object; usually empty."),
    )

    class Meta:
        model = Check
        fields = ["kind", "name", "target", "interval", "timeout", "allow_private", "is_active"]

    def __init__(self, *args: Any, user: Any, site: Site, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.site = site
        creating = self.instance._state.adding
        chosen = self.instance.kind if not creating else (kind or self.data.get("kind") or CheckKind.HTTP)
        self.kind = chosen if chosen in CheckKind.values else CheckKind.HTTP
        # The form's initial data comes from the (new, empty) instance; the kind chosen and its interval win.
        self.initial["kind"] = self.kind
        if creating:
            self.initial["interval"] = kind_of(self.kind).default_interval
        else:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("The kind of a check cannot change; add another check instead.")
        if not user.is_superuser:
            # Reaching loopback or the internal network from the server is a way into it: a superuser's call.
            self.fields["allow_private"].disabled = True
            self.fields["allow_private"].help_text = _("Only a superuser can allow private addresses.")
        self.fields["interval"].widget.attrs["min"] = MIN_INTERVAL
        self.fields["timeout"].widget.attrs.update(min=1, max=MAX_TIMEOUT)
        self.option_names = []
        options, extra = split_config(self.kind, self.instance.config if not creating else defaults(self.kind))
        for name, field in option_fields(self.kind).items():
            key = OPTION_PREFIX + name
            self.fields[key] = field
            self.option_names.append(name)
            if name in options:
                self.initial[key] = options[name]
        self.initial.setdefault("extra_options", extra)

    def option_bound_fields(self) -> list[forms.BoundField]:
        return [self[OPTION_PREFIX + name] for name in self.option_names]

    def clean_interval(self) -> int:
        return check_interval(self.cleaned_data["interval"])

    def clean_timeout(self) -> float:
        return check_timeout(self.cleaned_data["timeout"])

    def clean_extra_options(self) -> dict[str, Any]:
        value = self.cleaned_data.get("extra_options") or {}
        if not isinstance(value, dict):
            raise ValidationError(_("Give a JSON object, e.g. {\"name\": \"value\"}."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        config = dict(cleaned.get("extra_options") or {})
        for name in self.option_names:
            value = cleaned.get(OPTION_PREFIX + name)
            if value not in (None, "", [], ()):
                config[name] = value
        try:
            self.instance.config = kind_of(self.kind).clean_config(config)
        except ValidationError as exc:
            self.attach_option_errors(exc)
        return cleaned

    def attach_option_errors(self, exc: ValidationError) -> None:
        """The kind's messages next to the fields they name; others above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            if name in self.option_names:
                field = OPTION_PREFIX + name
            else:
                field = name if name in self.fields and name != "kind" else "extra_options"
            for error in errors:
                self.add_error(field, error)

    def save(self, commit: bool = True) -> Check:
        check: Check = super().save(commit=False)
        check.kind = self.kind
        return check


class WindowForm(forms.ModelForm):
    """A maintenance window for one site, or for every site of an organisation."""

    class Meta:
        model = MaintenanceWindow
        fields = ["site", "organisation", "starts_at", "ends_at", "reason"]
        widgets = {"starts_at": LocalDateTimeInput(), "ends_at": LocalDateTimeInput()}
        help_texts = {
            "site": gettext_lazy("One site; or leave empty and choose an organisation."),
            "organisation": gettext_lazy("Every site of the organisation."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M",
                                                                         "%Y-%m-%d %H:%M:%S"]
        sites = self.fields["site"]
        organisations = self.fields["organisation"]
        sites.queryset = visible_sites(user).only("pk", "name").order_by("name")  # type: ignore[attr-defined]
        organisations.queryset = (  # type: ignore[attr-defined]
            member_organisations(user).only("pk", "name").order_by("name"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        site, organisation = cleaned.get("site"), cleaned.get("organisation")
        if site is None and organisation is None and not self.has_error("site") and not self.has_error("organisation"):
            self.add_error("site", _("Choose a site or an organisation."))
        if site is not None and organisation is not None:
            self.add_error("organisation", _("Choose a site or an organisation, not both."))
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The window must end after it starts."))
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = MonitorProfile
        fields = ["failures_to_open", "successes_to_resolve", "stale_after_days", "on_status_page"]
        help_texts = {
            "failures_to_open": gettext_lazy("Consecutive failed checks before an incident opens and people are "
                                             "alerted; 1 alerts at the first failure."),
            "successes_to_resolve": gettext_lazy("Consecutive good checks before the incident is resolved."),
            "stale_after_days": gettext_lazy("Alert when the newest content is older than this."),
            "on_status_page": gettext_lazy("Show the site on its organisation's public status page, if it has one."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, top in (("failures_to_open", 100), ("successes_to_resolve", 100), ("stale_after_days", 3650)):
            field = self.fields[name]
            field.widget.attrs.update(min=1, max=top)
            field.validators = [*field.validators, MinValueValidator(1), MaxValueValidator(top)]


class StatusPageForm(forms.ModelForm):
    class Meta:
        model = StatusPage
        fields = ["title", "slug", "introduction", "is_public"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "slug": gettext_lazy("The page's address: /status/<address>/ (letters, digits and hyphens)."),
            "is_public": gettext_lazy("Anyone can open the page without logging in. It shows whether each site is "
                                      "up, its uptime and open incidents, never internal messages."),
        }
