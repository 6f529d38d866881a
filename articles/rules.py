"""The rules about an article: its byline, and its publication date.

Declared once (``core/rules.py`` says how a rule is applied); the services, the admin's
forms and inline, the API and the fixture importer all apply them. A rule one record can
break is a constraint of its model (``articles/models.py``), declared here with
``constraint_rule``.
"""

from articles.models import Article
from core.rules import constraint_rule, named_once_rule

AUTHOR_ONCE_IN_BYLINE = named_once_rule(
    name="article_author_once_in_byline",
    model=Article,
    field="authors",
    relation="authorships",
    named="author",
    key=lambda author: author.pk,
    constraint="authorship_unique_author_per_article",
)

PUBLISHED_ON_PLAUSIBLE = constraint_rule(Article, "article_published_on_plausible")
