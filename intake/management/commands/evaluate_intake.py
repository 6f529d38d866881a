"""Measure the intake's candidates against the curated facts of the corpus articles."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actors.models import Citation, Mention, TradeFigure
from articles.models import Article
from articles.quotes import find_quote
from intake import services
from intake.evaluation import CuratedArticle, CuratedFigure, evaluate, report
from intake.parser import IntakeError, parse_page

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "caci-analyst-2025.txt"


def curated_articles(text: str) -> list[CuratedArticle]:
    """Each article of the corpus text that the dataset holds, with its curated facts.

    The text compared is the parser's reading of the corpus, not the stored one: the
    intake is measured from the page, as an editor would paste it.
    """
    parsed = parse_page(text)
    stored = {article.lede: article for article in Article.objects.all()}
    found = []
    for item in parsed:
        article = stored.get(item.lede)
        if article is None:
            continue
        citations = list(Citation.objects.filter(article=article).select_related("trade_figure"))
        figures: dict = {}
        agreements: dict = {}
        for citation in citations:
            span = (citation.char_start, citation.char_end)
            if item.text != article.text:
                span = find_quote(item.text, citation.quote)
            if span is None:
                continue
            if citation.trade_figure_id:
                figure = citation.trade_figure
                figures.setdefault(
                    figure.pk,
                    CuratedFigure(
                        value=figure.value,
                        currency=figure.currency,
                        year=figure.year,
                        qualifier=figure.qualifier,
                        spans=[],
                    ),
                ).spans.append(span)
            else:
                agreements.setdefault(str(citation.agreement_id), []).append(span)
        found.append(
            CuratedArticle(
                slug=article.slug,
                text=item.text,
                published_on=article.published_on or item.published_on,
                mentions=set(
                    Mention.objects.filter(article=article).values_list("actor__slug", flat=True)
                ),
                trade_figures=list(figures.values()),
                agreements=agreements,
            )
        )
    return found


class Command(BaseCommand):
    help = (
        "Run the intake on the corpus page and compare its candidates with the curated "
        "mentions, trade figures and agreements of each article the dataset holds: recall, "
        "precision and time per article. Load the corpus first (manage.py seed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=CORPUS)

    def handle(self, *args, corpus, **options):
        try:
            articles = curated_articles(corpus.read_text(encoding="utf-8"))
        except (OSError, IntakeError) as error:
            raise CommandError(f"{corpus}: {error}") from error
        if not articles:
            raise CommandError(
                "None of the corpus articles is in the database: load them first (manage.py seed)."
            )
        if not TradeFigure.objects.exists():
            self.stderr.write("No trade figure is curated: their recall cannot be measured.")
        results = evaluate(articles, services.actor_index_build())
        self.stdout.write(report(results))
