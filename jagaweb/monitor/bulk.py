"""Many-row INSERT and UPDATE with one prepared statement (`executemany`), for the engine's batches.

Django's `bulk_update` builds a CASE WHEN per field and row, which cost more CPU than the checks
themselves at a thousand results a second; one statement executed for many parameter rows costs a
few microseconds a row on SQLite and is pipelined by psycopg on PostgreSQL. Values are prepared by
the model's own fields, so JSON, datetimes and booleans are stored exactly as the ORM stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models
from django.db.models import Model


def converter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` is stored: the backend's own adapters for JSON and datetimes, as
    `get_db_prep_save` would call them (a quarter of the write cost when called per value); None
    for fields whose Python values the driver takes as they are."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: None if value is None else connection.ops.adapt_json_value(value, encoder)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, (models.CharField, models.FloatField, models.IntegerField, models.BooleanField,
                          models.ForeignKey)):
        return None
    return partial(field.get_db_prep_save, connection=connection)


def prepared(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    converters = [converter(model._meta.get_field(name)) for name in names]
    if all(convert is None for convert in converters):
        return [list(row) for row in rows]
    return [
        [value if convert is None else convert(value) for convert, value in zip(converters, row, strict=True)]
        for row in rows
    ]


def column(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """INSERT one row per entry of `rows` (values in the order of `names`); returns how many."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(column(model, name) for name in names)
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608  (names from the model)
                           prepared(model, names, rows))
    return len(rows)


def update_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """UPDATE by primary key: each row is (pk, value for each of `names`)."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{column(model, name)} = %s" for name in names)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    values = prepared(model, names, [row[1:] for row in rows])
    params = [[*value, row[0]] for value, row in zip(values, rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", params)  # noqa: S608
    return len(rows)
