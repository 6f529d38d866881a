"""The rules about an article and its rows: its byline.

Declared once (``core/rules.py`` says how a rule is applied); the services, the admin's
inline, the API and the fixture importer all apply it. The rules a single row can break
are the models' constraints (``articles/models.py``).
"""

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Count, F

from articles.models import Article, Authorship
from core.rules import Rule, constraint_message, rule_declare


def _author_repeated(authors: Sequence[Any]) -> list[str]:
    author_ids = [author.pk for author in authors]
    return [AUTHOR_ONCE_IN_BYLINE.message] if len(set(author_ids)) != len(author_ids) else []


def _articles_with_an_author_twice(articles: models.QuerySet) -> models.QuerySet:
    return articles.annotate(
        _bylines=Count("authorships"), _authors=Count("authorships__author", distinct=True)
    ).filter(_bylines__gt=F("_authors"))


AUTHOR_ONCE_IN_BYLINE = rule_declare(
    Rule(
        name="article_author_once_in_byline",
        model=Article,
        field="authors",
        message=constraint_message(Authorship, "authorship_unique_author_per_article"),
        row_check=_author_repeated,
        set_check=_articles_with_an_author_twice,
        constraint="authorship_unique_author_per_article",
    )
)
