"""Writes to the publication: the one place its rules are applied.

The admin, the API and the importers call these functions, so a rule is written once.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article, Author, Authorship, Section
from core.rules import rules_check
from core.services import (
    Part,
    Writer,
    editable_fields,
    model_create,
    model_update,
    row_value,
    writer_declare,
)

# What each service writes: the models' editable fields (core.services.editable_fields).
AUTHOR_FIELDS = editable_fields(Author)
ARTICLE_FIELDS = editable_fields(Article)


@transaction.atomic
def author_create(**fields: Any) -> Author:
    """A new author from the values of its ``AUTHOR_FIELDS``."""
    return model_create(Author, fields)


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
    rules_check(Article, "authors", authors)
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
    return model_create(
        Article,
        {"section": Section.ANALYTICAL_ARTICLES, **fields},
        parts=lambda article: _byline_set(article=article, authors=authors),
    )


@transaction.atomic
def article_update(
    *, article: Article, data: dict[str, Any], authors: Sequence[Author] | None = None
) -> Article:
    """Change an article and, when given, its byline: one change of the article (its
    ``updated_at``, one version in its history)."""
    children_changed = False
    if authors is not None:
        children_changed = _byline_set(article=article, authors=authors)
    article, _ = model_update(
        instance=article, data=data, fields=ARTICLE_FIELDS, children_changed=children_changed
    )
    return article


# One byline row at a time (the admin's page for a single authorship) ------------------------

AUTHORSHIP_FIELDS = ("author", "position")


BYLINE_ENTRY = Part(
    field="authors",
    relation="authorships",
    parent=lambda authorship: authorship.article if authorship.article_id else None,
    to_input=lambda authorship: authorship.author,
)


def authorship_create(*, article: Article, author: Author, position: int) -> Authorship:
    return BYLINE_ENTRY.create(Authorship, article=article, author=author, position=position)


def authorship_update(*, authorship: Authorship, data: dict[str, Any]) -> Authorship:
    return BYLINE_ENTRY.update(instance=authorship, data=data, fields=AUTHORSHIP_FIELDS)


def article_children_from_history(children: dict[str, list[dict]]) -> dict[str, list]:
    """The ``authors`` of article_update, in byline order, from a version's children."""
    rows = sorted(children["authorships"], key=lambda row: row["position"])
    found = Author.objects.in_bulk({row["author"] for row in rows})
    missing = sorted({str(row["author"]) for row in rows if row["author"] not in found})
    if missing:
        raise ValidationError(
            {
                "authors": "This version names an author that no longer exists "
                f"(id {', '.join(missing)})."
            }
        )
    return {"authors": [found[row["author"]] for row in rows]}


# The writers every door calls (core.services.Writer) -------------------------------------

writer_declare(
    Writer(Author, author_create, author_update, "author"),
    Writer(
        Article,
        article_create,
        article_update,
        "article",
        related={"authors": row_value("author")},
        ordered_by={"authors": "position"},
        relations={"authors": "authorships"},
        from_history=article_children_from_history,
    ),
    Writer(
        Authorship,
        authorship_create,
        authorship_update,
        "authorship",
        fields=("article", *AUTHORSHIP_FIELDS),
        part=BYLINE_ENTRY,
    ),
)
