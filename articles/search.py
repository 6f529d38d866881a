"""Full-text search over an article's title, lede and body.

On PostgreSQL the words are matched against ``search_vector``, a stored tsvector column
kept up to date by the database itself (``GENERATED ALWAYS AS … STORED``) and indexed with
GIN: see migration 0002. The query is read as a web search engine would
(``websearch_to_tsquery``: words, "quoted phrases", ``or``, ``-excluded``), with English
stemming, so "pipelines" finds "pipeline". Elsewhere (SQLite, for development and tests)
an article matches when it contains every word, ignoring case.
"""

from django.db import connections
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

SEARCH_CONFIG = "english"
# On PostgreSQL the matches carry their relevance under this name; a list with no explicit
# ordering puts the most relevant first.
RANK = "search_rank"


def articles_matching(queryset: QuerySet, text: str) -> QuerySet:
    words = text.split()
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        column = f'"{queryset.model._meta.db_table}"."search_vector"'
        query = "websearch_to_tsquery(%s::regconfig, %s)"
        return queryset.filter(
            RawSQL(f"{column} @@ {query}", (SEARCH_CONFIG, text), output_field=BooleanField())
        ).annotate(
            **{
                RANK: RawSQL(
                    f"ts_rank({column}, {query})", (SEARCH_CONFIG, text), output_field=FloatField()
                )
            }
        )
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(lede__icontains=word) | Q(body__icontains=word)
        )
    return queryset
