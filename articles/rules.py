"""The rules about an article and its rows: its byline.

Declared once (``core/rules.py`` says how a rule is applied); the services, the admin's
inline, the API and the fixture importer all apply it. The rules a single row can break
are the models' constraints (``articles/models.py``).
"""

from articles.models import Article
from core.rules import named_once_rule

AUTHOR_ONCE_IN_BYLINE = named_once_rule(
    name="article_author_once_in_byline",
    model=Article,
    field="authors",
    relation="authorships",
    named="author",
    key=lambda author: author.pk,
    constraint="authorship_unique_author_per_article",
)
