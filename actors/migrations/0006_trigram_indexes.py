"""Trigram indexes for the API's case-insensitive "contains" filters, on PostgreSQL only.

Django compiles ``name__icontains`` to ``UPPER("name"::text) LIKE UPPER('%…%')`` there; a
GIN index of trigrams over that same expression serves it. SQLite has no such index.
"""

from django.db import migrations

INDEXES = [
    ("actor_name_trgm_idx", "actors_actor", "name"),
    ("alias_name_trgm_idx", "actors_actoralias", "name"),
    ("trade_commodity_trgm_idx", "actors_tradefigure", "commodity"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("actors", "0005_filter_indexes")]

    operations = [migrations.RunPython(create, drop)]
