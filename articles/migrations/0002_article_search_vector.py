"""Full-text search column for articles, on PostgreSQL only.

``search_vector`` is computed by PostgreSQL from the title (weight A), lede (B) and body (C)
whenever a row is written (a stored generated column), and GIN-indexed, so a search reads
the index and never re-parses the texts. Django's model does not declare the column: it is
only ever read by ``articles.search`` (``StoredSearchVector``). Other databases get nothing here and search by
substring instead.
"""

from django.db import migrations

ADD_SQL = """
ALTER TABLE articles_article ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(lede, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
    ) STORED;
CREATE INDEX article_search_vector_idx ON articles_article USING gin (search_vector);
"""
REMOVE_SQL = """
DROP INDEX IF EXISTS article_search_vector_idx;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_SQL)


def remove_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_search_vector, remove_search_vector),
    ]
