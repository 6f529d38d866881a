"""How well the candidates find what editors curated: recall (curated facts found) and
precision (candidates that are curated facts), per kind, on articles whose facts are known.

The comparison reads the curated records and never removes them: the candidates are
computed from the text alone, as for a new article, without the filter that hides what is
already curated.
"""

import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from intake.candidates import ActorIndex, CandidateKind, all_candidates


@dataclass
class CuratedFigure:
    value: Decimal
    currency: str
    year: int | None
    qualifier: str
    spans: list[tuple[int, int]]


@dataclass
class CuratedArticle:
    """An article's text and the facts editors drew from it."""

    slug: str
    text: str
    published_on: date | None
    mentions: set[str]
    trade_figures: list[CuratedFigure]
    # Each agreement the article states: the spans of its citations in this article.
    agreements: dict[str, list[tuple[int, int]]]


@dataclass
class Score:
    curated: int = 0
    found: int = 0
    proposed: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.curated += other.curated
        self.found += other.found
        self.proposed += other.proposed
        self.correct += other.correct
        self.missed += other.missed

    @property
    def recall(self) -> float | None:
        return self.found / self.curated if self.curated else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.proposed if self.proposed else None


@dataclass
class ArticleResult:
    slug: str
    seconds: float
    scores: dict[str, Score]


KINDS = (CandidateKind.MENTION, CandidateKind.TRADE_FIGURE, CandidateKind.AGREEMENT)


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def evaluate_article(curated: CuratedArticle, index: ActorIndex) -> ArticleResult:
    started = time.perf_counter()
    found = all_candidates(curated.text, index, published_on=curated.published_on)
    seconds = time.perf_counter() - started

    mentions = Score(curated=len(curated.mentions))
    proposed = {c.values["actor_slug"] for c in found[CandidateKind.MENTION]}
    mentions.proposed = len(proposed)
    mentions.correct = mentions.found = len(proposed & curated.mentions)
    mentions.missed = [f"{curated.slug}: {slug}" for slug in sorted(curated.mentions - proposed)]

    figures = Score(curated=len(curated.trade_figures), proposed=len(found["trade_figure"]))

    def same(candidate, figure: CuratedFigure) -> bool:
        values = candidate.values
        return (
            values["value"] == figure.value
            and values["currency"] == figure.currency
            and values["year"] == figure.year
            and values["qualifier"] == figure.qualifier
            and _overlaps((candidate.start, candidate.end), figure.spans)
        )

    for figure in curated.trade_figures:
        if any(same(candidate, figure) for candidate in found[CandidateKind.TRADE_FIGURE]):
            figures.found += 1
        else:
            figures.missed.append(
                f"{curated.slug}: {figure.qualifier} {figure.value} {figure.currency} "
                f"{figure.year}"
            )
    figures.correct = sum(
        any(same(candidate, figure) for figure in curated.trade_figures)
        for candidate in found[CandidateKind.TRADE_FIGURE]
    )

    agreements = Score(
        curated=len(curated.agreements), proposed=len(found[CandidateKind.AGREEMENT])
    )
    spans = [(c.start, c.end) for c in found[CandidateKind.AGREEMENT]]
    for key, cited in curated.agreements.items():
        if any(_overlaps(span, cited) for span in spans):
            agreements.found += 1
        else:
            agreements.missed.append(f"{curated.slug}: {key}")
    every_cited = [span for cited in curated.agreements.values() for span in cited]
    agreements.correct = sum(_overlaps(span, every_cited) for span in spans)
    return ArticleResult(
        slug=curated.slug,
        seconds=seconds,
        scores={
            CandidateKind.MENTION: mentions,
            CandidateKind.TRADE_FIGURE: figures,
            CandidateKind.AGREEMENT: agreements,
        },
    )


def evaluate(articles: list[CuratedArticle], index: ActorIndex) -> list[ArticleResult]:
    return [evaluate_article(article, index) for article in articles]


def totals(results: list[ArticleResult]) -> dict[str, Score]:
    summed = {kind: Score() for kind in KINDS}
    for result in results:
        for kind, score in result.scores.items():
            summed[kind].add(score)
    return summed


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def report(results: list[ArticleResult]) -> str:
    """The evaluation as a Markdown table, then what was missed."""
    names = {
        CandidateKind.MENTION: "mentions",
        CandidateKind.TRADE_FIGURE: "trade figures",
        CandidateKind.AGREEMENT: "agreements",
    }
    lines = [
        "| kind | curated | found | recall | proposed | curated among them | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, score in totals(results).items():
        lines.append(
            f"| {names[kind]} | {score.curated} | {score.found} | {_percent(score.recall)} "
            f"| {score.proposed} | {score.correct} | {_percent(score.precision)} |"
        )
    lines += ["", "| article | ms | " + " | ".join(names[k] for k in KINDS) + " |"]
    lines.append("|---|---|" + "---|" * len(KINDS))
    for result in results:
        cells = [
            f"{result.scores[k].found}/{result.scores[k].curated} of "
            f"{result.scores[k].proposed} proposed"
            for k in KINDS
        ]
        lines.append(
            f"| {result.slug} | {result.seconds * 1000:.1f} | " + " | ".join(cells) + " |"
        )
    missed = [line for score in totals(results).values() for line in score.missed]
    if missed:
        lines += ["", "Missed:"] + [f"- {line}" for line in missed]
    return "\n".join(lines)
