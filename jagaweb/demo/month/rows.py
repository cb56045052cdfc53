"""Plain rows written with multi-row INSERTs, for the tables a month fills by the hundred thousand (the activity
log, guard checks, rollups): bulk_create spends most of its time building and preparing a model instance per
row. Values are converted to the database's form column by column, as the fields themselves convert them.

Rows that other rows point at get their keys here (`Keys`), before they are written; on PostgreSQL the
tables' sequences are moved past them afterwards (`Keys.settle`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from jagaweb.logwatch.models import insert_rows

FLUSH_AT = 5000


# Field classes whose Python values are already what the database takes (subclasses may not be: encrypted text).
PLAIN: tuple[type[models.Field[Any, Any]], ...] = (
    models.CharField, models.TextField, models.SlugField, models.EmailField, models.IntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField,
    models.BigIntegerField, models.SmallIntegerField, models.BooleanField, models.FloatField, models.AutoField,
    models.BigAutoField, models.ForeignKey, models.OneToOneField,
)


def unchanged(value: Any) -> Any:
    return value


def sqlite_datetime(value: datetime | None) -> str | None:
    """What SQLite's backend stores for an aware datetime (UTC, without the offset), without its checks."""
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def json_converter(field: models.JSONField[Any]) -> Callable[[Any], Any]:
    """The field's own conversion, remembering the last value: rows often share one dict (the same report)."""
    last: list[Any] = [None, None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, connection.ops.adapt_json_value(value, field.encoder)
        return last[1]

    return convert


def converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a column's Python value becomes what the database takes; None when it already is."""
    ops = connection.ops
    if type(field) in PLAIN:
        return None
    if type(field) is models.DateTimeField:
        if connection.vendor == "sqlite" and settings.USE_TZ:
            return sqlite_datetime
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if type(field) is models.DateField:
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if type(field) is models.JSONField:
        return json_converter(field)
    return lambda value: field.get_db_prep_save(value, connection)


def field_of(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


class Table:
    """Rows of some of a model's columns (attribute names: `site_id`, not `site`), written in batches."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        fields = [field_of(model, name) for name in columns]
        self.columns = [str(field.column) for field in fields]
        self.converters = [(index, convert) for index, field in enumerate(fields)
                           if (convert := converter(field)) is not None]
        self.waiting: list[list[Any]] = []
        self.written = 0

    def add(self, *values: Any) -> None:
        row = list(values)
        if len(row) != len(self.columns):
            raise ValueError(f"{len(row)} values for the {len(self.columns)} columns of {self.model.__name__}")
        for index, convert in self.converters:
            row[index] = convert(row[index])
        self.waiting.append(row)
        if len(self.waiting) >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            insert_rows(self.model, self.columns, self.waiting)
            self.written += len(self.waiting)
            self.waiting = []


class Keys:
    """Primary keys handed out before the rows are written, per model."""

    def __init__(self) -> None:
        self.following: dict[type[models.Model], int] = {}

    def next(self, model: type[models.Model]) -> int:
        if model not in self.following:
            self.following[model] = (model._default_manager.aggregate(last=Max("pk"))["last"] or 0) + 1
        key = self.following[model]
        self.following[model] = key + 1
        return key

    def key(self, obj: models.Model) -> None:
        if obj.pk is None:
            obj.pk = self.next(type(obj))

    def settle(self) -> None:
        """Move the sequences of the tables written with given keys past them (SQLite needs nothing)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.following))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def related_key(obj: models.Model, field: Any) -> Any:
    """A foreign key's value, from the related instance when that was saved after being assigned."""
    value = getattr(obj, field.attname)
    if value is None and field.is_cached(obj):
        related = field.get_cached_value(obj)
        value = related.pk if related is not None else None
    return value


def write_all(model: type[models.Model], objects: Sequence[models.Model], keys: Keys) -> None:
    """Instances written as plain rows of every column; the ones without a key get one first."""
    fields = list(model._meta.concrete_fields)
    table = Table(model, [field.attname for field in fields])
    for obj in objects:
        keys.key(obj)
        table.add(*(related_key(obj, field) if field.is_relation else getattr(obj, field.attname)
                    for field in fields))
    table.flush()
