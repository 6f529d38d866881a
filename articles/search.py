"""Full-text search over an article's title, lede and body.

On PostgreSQL the words are matched against ``search_vector``, a stored tsvector column
kept up to date by the database itself (``GENERATED ALWAYS AS … STORED``) and indexed with
GIN: see migration 0002. The query is read as a web search engine would
(``websearch_to_tsquery``: words, "quoted phrases", ``or``, ``-excluded``), with English
stemming, so "pipelines" finds "pipeline". Elsewhere (SQLite, for development and tests)
an article matches when it contains every word, ignoring case.
"""

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

SEARCH_CONFIG = "english"


def articles_matching(queryset: QuerySet, text: str) -> QuerySet:
    words = text.split()
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        table = queryset.model._meta.db_table
        return queryset.filter(
            RawSQL(
                f'"{table}"."search_vector" @@ websearch_to_tsquery(%s::regconfig, %s)',
                (SEARCH_CONFIG, text),
                output_field=BooleanField(),
            )
        )
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(lede__icontains=word) | Q(body__icontains=word)
        )
    return queryset
