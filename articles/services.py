"""Writes to the publication: the one place its rules are applied.

The admin, the API and the importers call these functions, so a rule is written once.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article, Author, Authorship, Section
from core.services import editable_fields, fields_check, model_update

# What each service writes: the models' editable fields (core.services.editable_fields).
AUTHOR_FIELDS = editable_fields(Author)
ARTICLE_FIELDS = editable_fields(Article)


@transaction.atomic
def author_create(**fields: Any) -> Author:
    """A new author from the values of its ``AUTHOR_FIELDS``."""
    fields_check(Author, fields)
    author = Author(**fields)
    author.full_clean()
    author.save()
    return author


@transaction.atomic
def author_update(*, author: Author, data: dict[str, Any]) -> Author:
    author, _ = model_update(instance=author, data=data, fields=AUTHOR_FIELDS)
    return author


def _byline_set(*, article: Article, authors: Sequence[Author]) -> bool:
    """Make the article's byline exactly ``authors``, in order. Returns whether it changed."""
    current = list(article.authorships.order_by("position").values_list("author_id", flat=True))
    wanted = [author.pk for author in authors]
    if current == wanted:
        return False
    if len(set(wanted)) != len(wanted):
        raise ValidationError({"authors": "An author appears twice in the byline."})
    article.authorships.all().delete()
    for position, author in enumerate(authors, start=1):
        authorship = Authorship(article=article, author=author, position=position)
        authorship.full_clean()
        authorship.save()
    return True


@transaction.atomic
def article_create(*, authors: Sequence[Author] = (), **fields: Any) -> Article:
    """A new article from the values of its ``ARTICLE_FIELDS`` (an analytical article
    unless its section is given), with its byline in order."""
    fields_check(Article, fields)
    article = Article(**{"section": Section.ANALYTICAL_ARTICLES, **fields})
    article.full_clean()
    article.save()
    _byline_set(article=article, authors=authors)
    return article


@transaction.atomic
def article_update(
    *, article: Article, data: dict[str, Any], authors: Sequence[Author] | None = None
) -> Article:
    article, _ = model_update(instance=article, data=data, fields=ARTICLE_FIELDS)
    if authors is not None:
        _byline_set(article=article, authors=authors)
    return article
