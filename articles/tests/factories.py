import factory

from articles.models import Article, Author, Section


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    section = Section.ANALYTICAL_ARTICLES
    lede = "Mongolia's diplomatic engagement with Central Asia marks a pivotal evolution."
    body = (
        "Trade with Kazakhstan has reached approximately $150 million annually.\n\n"
        "The visit to Uzbekistan yielded 14 bilateral agreements."
    )
