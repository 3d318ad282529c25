"""Writing many new rows in one go: COPY on PostgreSQL, one prepared INSERT on SQLite.

Django's ``bulk_create`` compiles every value of every row through the field API and,
on SQLite, cuts the rows into INSERTs of at most 999 parameters (35 Job rows each). For
10,000 jobs that was more than half the cost of scheduling them (decision 18). Here each
distinct value is prepared by its own field once per call, so a value shared by all
rows (a timestamp, a queue name) costs one conversion, and the rows travel in a single
COPY or ``executemany``. Values are still converted by Django's
``Field.get_db_prep_save``, so rows read back exactly as ``bulk_create`` would store
them. Other databases, and models this can't handle, go through ``bulk_create``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import FileField, Model


def insert_new(objs: Sequence[Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert unsaved instances of one model whose primary keys are already set.

    Like ``bulk_create``: no ``save()``, no signals. Must run inside a transaction so a
    failure leaves no partial batch behind.
    """
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    if not _copyable(model, objs[0]) or connection.vendor not in {"postgresql", "sqlite"}:
        model._default_manager.using(using).bulk_create(objs)
        return
    fields = model._meta.concrete_fields
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    rows = _prepared_rows(objs, fields, connection)
    if connection.vendor == "postgresql":
        _copy(connection, f"COPY {table} ({columns}) FROM STDIN", rows)
    else:
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def _copy(connection: Any, sql: str, rows: Iterator[list[Any]]) -> None:
    """COPY is psycopg's, not Django's: it goes on the driver's own cursor, inside the
    caller's transaction, past whatever wraps Django's cursors."""
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copyable(model: type[Model], sample: Model) -> bool:
    """Rows whose saved values are the attributes as they stand, with known keys."""
    opts = model._meta
    if opts.parents or sample.pk is None:
        return False
    return not any(_saved_differently(field) for field in opts.concrete_fields)


def _saved_differently(field: Any) -> bool:
    """Fields whose ``pre_save`` changes the value: timestamps set on save, files."""
    if isinstance(field, FileField):
        return True
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _prepared_rows(objs: Sequence[Model], fields: Sequence[Any], connection: Any) -> Iterator[list[Any]]:
    """Each row's values as the database takes them.

    Per column, a value that is the very object the previous row had reuses its
    conversion (one ``now`` for all rows, interned strings); an equal one is looked up;
    only the rest (ids, JSON lists and dicts) is converted.
    """
    memo: dict[tuple, Any] = {}
    columns = [(index, field, field.attname, field.primary_key) for index, field in enumerate(fields)]
    previous: list[tuple[Any, Any]] = [(memo, None)] * len(fields)  # memo: matches no value
    for obj in objs:
        row = []
        for index, field, attname, is_pk in columns:
            value = getattr(obj, attname)
            seen, prepared = previous[index]
            if value is not seen:
                prepared = _prepare_cached(memo, index, field, value, connection, is_pk)
                previous[index] = (value, prepared)
            row.append(prepared)
        yield row


def _prepare_cached(memo: dict, index: int, field: Any, value: Any, connection: Any, is_pk: bool) -> Any:
    if is_pk:
        return field.get_db_prep_save(value, connection)
    try:
        key = (index, type(value), value)
        hash(key)
    except TypeError:  # lists and dicts: equal JSON text, equal value
        try:
            key = (index, "json", json.dumps(value))
        except (TypeError, ValueError):
            return _prepare(field, value, connection)
    if key not in memo:
        memo[key] = _prepare(field, value, connection)
    return memo[key]


def _prepare(field: Any, value: Any, connection: Any) -> Any:
    if hasattr(value, "resolve_expression"):
        raise TypeError(f"{field.name}: insert_new takes plain values, not expressions; use bulk_create.")
    return field.get_db_prep_save(value, connection)
