"""Articles and authors for tests, written through the services as an editor would."""

from articles.models import Article, Section
from articles.services import article_create, author_create

LEDE = "Mongolia's diplomatic engagement with Central Asia marks a pivotal evolution."
BODY = (
    "Trade with Kazakhstan has reached approximately $150 million annually.\n\n"
    "The visit to Uzbekistan yielded 14 bilateral agreements."
)
# Passages of BODY, as a fact cites them.
TRADE_QUOTE = "Trade with Kazakhstan has reached approximately $150 million annually."
AGREEMENT_QUOTE = "yielded 14 bilateral agreements"


def make_article(number: int = 1, **overrides) -> Article:
    """Article ``number`` (slug ``article-<number>``), by its own author, with BODY."""
    author = author_create(name=f"Author {number}", slug=f"author-{number}")
    fields = {
        "slug": f"article-{number}",
        "title": f"Article {number}",
        "section": Section.ANALYTICAL_ARTICLES,
        "lede": LEDE,
        "body": BODY,
        "authors": [author],
        **overrides,
    }
    return article_create(**fields)
