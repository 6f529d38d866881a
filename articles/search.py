"""Full-text search over an article's title, lede and body.

On PostgreSQL the words are matched against ``search_vector``, a stored tsvector column
kept up to date by the database itself (``GENERATED ALWAYS AS … STORED``) and indexed with
GIN: see migration 0002. The query is read as a web search engine would
(``websearch_to_tsquery``: words, "quoted phrases", ``or``, ``-excluded``), with English
stemming, so "pipelines" finds "pipeline". Elsewhere (SQLite, for development and tests)
an article matches when it contains every word, ignoring case.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Expression, Q, QuerySet

SEARCH_CONFIG = "english"
# On PostgreSQL the matches carry their relevance under this name; a list with no explicit
# ordering puts the most relevant first.
RANK = "search_rank"


class StoredSearchVector(Expression):
    """The article's ``search_vector`` column.

    The model does not declare it: PostgreSQL computes it (a generated column, which Django
    must never write) and other databases do not have it. This expression names it for
    ``SearchQuery`` and ``SearchRank``, in the query's own table.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name('search_vector')}", []


def articles_matching(queryset: QuerySet, text: str) -> QuerySet:
    words = text.split()
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return (
            queryset.alias(search_vector=StoredSearchVector())
            .filter(search_vector=query)
            .annotate(**{RANK: SearchRank(StoredSearchVector(), query)})
        )
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(lede__icontains=word) | Q(body__icontains=word)
        )
    return queryset
