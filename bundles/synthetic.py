"""A synthetic bundle that looks like the dataset, at any size, the same for the same seed.

Shaped like the real thing: a few big trading pairs and a long tail (Zipf weights over the
countries), recent years more common than old ones, values spread over orders of magnitude
(log-normal), the qualifiers the articles use, and every quote a sentence of its article.

Synthetic records live apart from real ones, so that a synthetic bundle imported into the
real dataset adds to it and never rewrites a real record: every slug starts with
``synthetic-``, the countries carry ISO 3166-1 codes that ISO leaves to users (``AA``,
``QM``–``QZ``, ``XA``–``XZ``, ``ZZ``: never a real country's), and the articles' publisher
item ids lie far above any the publisher has used. The UUIDs are random (version 4) and
meet no real one.

Each trade figure and agreement is drawn from its own seeded generator, so the article that
cites it and the record itself can be written at different moments without holding the
bundle in memory.

Every reviewed kind comes as a mix of published records and records that need review, as
in the dataset: about four articles in five are published, and a fact is published only
when the article it cites is (the public never meets a published fact whose source it
cannot open), about two in three of them in all. Each article mentions the actors its
passages name. The output carries created_at/updated_at and the computed columns
(signed_on_latest, char_start/char_end), so ``loaddata`` reads it too; the importer ignores
the timestamps and recomputes the rest.
"""

import json
import random
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from actors.models import date_bounds

TIMESTAMP = "2025-06-01T00:00:00Z"
SYNTHETIC_VERIFICATION = "Synthetic bundle: no source checked"
# The namespace of synthetic records (see the module's docstring).
SLUG_PREFIX = "synthetic-"
# ISO 3166-1 alpha-2 codes reserved for users: no country is ever given one. XK is left out,
# since it is widely used for Kosovo.
USER_ASSIGNED_CODES = (
    ["AA"]
    + [f"Q{letter}" for letter in "MNOPQRSTUVWXYZ"]
    + [f"X{letter}" for letter in "ABCDEFGHIJLMNOPQRSTUVWXYZ"]
    + ["ZZ"]
)
FIRST_PUBLISHER_ITEM_ID = 1_000_000_000

# Country names and capitals (the capital is the country's alias).
COUNTRIES = [
    ("China", "Beijing"),
    ("Russia", "Moscow"),
    ("Kazakhstan", "Astana"),
    ("Turkey", "Ankara"),
    ("Uzbekistan", "Tashkent"),
    ("Azerbaijan", "Baku"),
    ("Iran", "Tehran"),
    ("Georgia", "Tbilisi"),
    ("United States", "Washington"),
    ("Germany", "Berlin"),
    ("Kyrgyzstan", "Bishkek"),
    ("Turkmenistan", "Ashgabat"),
    ("Armenia", "Yerevan"),
    ("Tajikistan", "Dushanbe"),
    ("India", "New Delhi"),
    ("Mongolia", "Ulaanbaatar"),
    ("Pakistan", "Islamabad"),
    ("Japan", "Tokyo"),
    ("South Korea", "Seoul"),
    ("Italy", "Rome"),
    ("France", "Paris"),
    ("United Kingdom", "London"),
    ("Ukraine", "Kyiv"),
    ("Belarus", "Minsk"),
    ("Afghanistan", "Kabul"),
    ("United Arab Emirates", "Abu Dhabi"),
    ("Saudi Arabia", "Riyadh"),
    ("Qatar", "Doha"),
    ("Israel", "Jerusalem"),
    ("Poland", "Warsaw"),
    ("Romania", "Bucharest"),
    ("Bulgaria", "Sofia"),
    ("Hungary", "Budapest"),
    ("Netherlands", "Amsterdam"),
    ("Spain", "Madrid"),
    ("Greece", "Athens"),
    ("Egypt", "Cairo"),
    ("Malaysia", "Kuala Lumpur"),
    ("Indonesia", "Jakarta"),
    ("Vietnam", "Hanoi"),
]
ORGANIZATIONS = [
    "Shanghai Cooperation Organization",
    "Eurasian Economic Union",
    "Organization of Turkic States",
    "Collective Security Treaty Organization",
    "European Union",
    "Asian Development Bank",
    "World Bank",
    "Commonwealth of Independent States",
    "Middle Corridor",
    "Belt and Road Initiative",
]
COMMODITIES = [
    "natural gas",
    "oil",
    "grain",
    "wheat",
    "cotton",
    "uranium",
    "copper",
    "electricity",
    "machinery",
    "textiles",
    "fertilizers",
    "coal",
    "gold",
    "cars",
]
QUALIFIERS = [
    ("exact", "", 50),
    ("approximately", "approximately ", 20),
    ("nearly", "nearly ", 8),
    ("over", "over ", 10),
    ("under", "under ", 4),
    ("at-most", "no more than ", 3),
    ("at-least", "at least ", 5),
]
CURRENCIES = [("USD", "$", 88), ("EUR", "€", 7), ("CNY", "CNY ", 3), ("RUB", "RUB ", 2)]
FLOWS = [("total", 50), ("export", 28), ("import", 22)]
SECTIONS = [
    ("analytical-articles", 60),
    ("field-reports", 25),
    ("news-digest", 10),
    ("feature-articles", 5),
]
AGREEMENT_KINDS = [
    ("memorandum", "a memorandum of understanding on", 30),
    ("strategic-partnership", "a strategic partnership covering", 15),
    ("joint-statement", "a joint statement on", 15),
    ("treaty", "a treaty on", 10),
    ("declaration", "a declaration on", 10),
    ("package", "a package of agreements on", 10),
    ("joint-venture", "a joint venture in", 10),
]
TOPICS = [
    "energy cooperation",
    "transport corridors",
    "trade facilitation",
    "water management",
    "security cooperation",
    "digital connectivity",
    "agriculture",
    "investment protection",
    "customs procedures",
    "education exchanges",
]
FIRST_NAMES = ["Aida", "Bakyt", "Nino", "Emil", "Johan", "Svante", "Farid", "Gulnara", "Ilia"]
LAST_NAMES = ["Abdullaev", "Beridze", "Cutler", "Engvall", "Hasanov", "Karimova", "Sukhankin"]
FILLER = [
    "Regional observers expect the relationship to deepen in the coming years.",
    "Officials on both sides described the talks as constructive.",
    "The development reflects a broader shift in the region's economic geography.",
    "Transit routes across the Caspian Sea have gained importance since 2022.",
    "Analysts caution that infrastructure bottlenecks remain a serious constraint.",
    "The government has sought to diversify its partners and reduce dependence on Moscow.",
    "Much depends on financing from international development banks.",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _weighted(rng: random.Random, table):
    return rng.choices(table, weights=[row[-1] for row in table])[0]


def _zipf_weights(n: int, exponent: float = 1.2) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, n + 1)]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(frozen=True)
class Sizes:
    articles: int
    actors: int
    agreements: int
    trade_figures: int


@dataclass(frozen=True)
class _Figure:
    id: str
    citation_id: str
    reporter: str
    partner: str
    flow: str
    commodity: str
    year: int | None
    value: Decimal
    currency: str
    qualifier: str
    published: bool
    sentence: str
    article: int


@dataclass(frozen=True)
class _Agreement:
    id: str
    citation_id: str
    title: str
    kind: str
    parties: tuple[str, ...]
    signed_on: date | None
    precision: str
    instrument_count: int | None
    published: bool
    sentence: str
    article: int


def _amount(rng: random.Random) -> tuple[Decimal, str]:
    """A value and how an article writes it: 3.7 billion, 450 million, 12.5 million."""
    millions = min(10 ** rng.gauss(2.0, 1.0), 900_000)
    if millions >= 1000:
        billions = round(millions / 1000, 1)
        return Decimal(str(billions)) * 1_000_000_000, f"{billions:g} billion"
    millions = round(millions, 1) if millions < 100 else round(millions)
    millions = max(millions, 0.1)
    return Decimal(str(millions)) * 1_000_000, f"{millions:g} million"


class SyntheticBundle:
    """The records of a synthetic bundle, generated in dependency order."""

    def __init__(self, sizes: Sizes, seed: int):
        if sizes.actors < 2:
            raise ValueError("A bundle with trade figures needs at least two actors.")
        self.sizes = sizes
        self.seed = seed
        rng = random.Random(seed)
        self.countries = []
        self.others = []
        n_countries = min(len(COUNTRIES), max(2, sizes.actors * 3 // 4))
        order = list(range(len(COUNTRIES)))
        rng.shuffle(order[3:])  # the big three stay big; the tail varies with the seed
        for rank in order[:n_countries]:
            name, capital = COUNTRIES[rank]
            self.countries.append((name, USER_ASSIGNED_CODES[rank], capital, _slug(name)))
        for i in range(sizes.actors - n_countries):
            base = ORGANIZATIONS[i % len(ORGANIZATIONS)]
            name = base if i < len(ORGANIZATIONS) else f"{base} {i // len(ORGANIZATIONS) + 1}"
            kind = "initiative" if "Corridor" in base or "Initiative" in base else "organization"
            self.others.append((name, kind, _slug(name)))
        self.country_weights = _zipf_weights(len(self.countries))
        self.n_authors = max(1, sizes.articles // 8)
        self.author_weights = _zipf_weights(self.n_authors, 0.8)
        self.figure_offsets = array("l", [0]) * sizes.trade_figures
        self.agreement_offsets = array("l", [0]) * sizes.agreements
        self.actor_numbers = {
            slug: number
            for number, slug in enumerate(
                [c[3] for c in self.countries] + [o[2] for o in self.others]
            )
        }
        # The actors each article's passages name (their numbers, packed), filled as the
        # articles are written and read back for the mentions.
        self.article_actors: list[bytes] = [b""] * sizes.articles

    def article_published(self, a: int) -> bool:
        """Whether article ``a`` is published: drawn apart from its text, so that the
        facts citing it can ask without drawing the article."""
        return random.Random(f"{self.seed}:article-status:{a}").random() < 0.8

    # Drawing --------------------------------------------------------------------------

    def _pair(self, rng: random.Random) -> tuple[tuple, tuple]:
        first, second = rng.choices(self.countries, weights=self.country_weights, k=2)
        while second is first:
            second = rng.choices(self.countries, weights=self.country_weights)[0]
        return first, second

    def figure(self, j: int) -> _Figure:
        rng = random.Random(f"{self.seed}:figure:{j}")
        reporter, partner = self._pair(rng)
        flow = _weighted(rng, FLOWS)[0]
        commodity = rng.choice(COMMODITIES) if rng.random() < 0.4 else ""
        year = None if rng.random() < 0.05 else 2025 - min(int(rng.expovariate(0.15)), 30)
        value, spoken = _amount(rng)
        currency, symbol, _ = _weighted(rng, CURRENCIES)
        qualifier, qualifier_words, _ = _weighted(rng, QUALIFIERS)
        goods = f" of {commodity}" if commodity else ""
        if flow == "total":
            subject = f"Trade{goods} between {reporter[0]} and {partner[0]}"
        elif flow == "export":
            subject = f"{reporter[0]}'s exports{goods} to {partner[0]}"
        else:
            subject = f"{reporter[0]}'s imports{goods} from {partner[0]}"
        when = f" in {year}" if year else " annually"
        sentence = f"{subject} reached {qualifier_words}{symbol}{spoken}{when}."
        return _Figure(
            id=_uuid(rng),
            citation_id=_uuid(rng),
            reporter=reporter[3],
            partner=partner[3],
            flow=flow,
            commodity=commodity,
            year=year,
            value=value,
            currency=currency,
            qualifier=qualifier,
            published=rng.random() < 0.85 and self.article_published(j % self.sizes.articles),
            sentence=sentence,
            article=j % self.sizes.articles,
        )

    def agreement(self, k: int) -> _Agreement:
        rng = random.Random(f"{self.seed}:agreement:{k}")
        n_parties = rng.choices([2, 3, 4], weights=[70, 20, 10])[0]
        parties = []
        while len(parties) < min(n_parties, len(self.countries)):
            country = rng.choices(self.countries, weights=self.country_weights)[0]
            if country not in parties:
                parties.append(country)
        names = [p[0] for p in parties]
        if self.others and rng.random() < 0.15:
            broker = rng.choice(self.others)
            parties.append((broker[0], None, None, broker[2]))
        kind, words, _ = _weighted(rng, AGREEMENT_KINDS)
        topic = rng.choice(TOPICS)
        precision = rng.choices(["day", "month", "year", ""], weights=[60, 20, 10, 10])[0]
        signed_on = None
        when = ""
        if precision:
            year = 2025 - min(int(rng.expovariate(0.2)), 25)
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            signed_on = date(year, month, day)
            if precision == "day":
                when = f"On {day} {MONTHS[month - 1]} {year}, "
            elif precision == "month":
                when = f"In {MONTHS[month - 1]} {year}, "
            else:
                when = f"In {year}, "
            signed_on = date_bounds(signed_on, precision)[0]
        count = rng.randint(2, 30) if kind == "package" else None
        joined = ", ".join(names[:-1]) + f" and {names[-1]}"
        sentence = f"{when}{joined} signed {words} {topic}."
        if count:
            sentence = f"{when}{joined} signed {count} agreements on {topic}."
        sentence = sentence[0].upper() + sentence[1:]
        agreement_id, citation_id = _uuid(rng), _uuid(rng)
        published = rng.random() < 0.8 and self.article_published(k % self.sizes.articles)
        return _Agreement(
            id=agreement_id,
            citation_id=citation_id,
            title=f"{'–'.join(names)} {words.split(' ', 1)[1]} {topic}",
            kind=kind,
            parties=tuple(p[3] for p in parties),
            signed_on=signed_on,
            precision=precision,
            instrument_count=count,
            published=published,
            sentence=sentence,
            article=k % self.sizes.articles,
        )

    # Records --------------------------------------------------------------------------

    def records(self) -> Iterator[dict]:
        sizes = self.sizes
        yield from self._authors()
        yield from self._articles()
        yield from self._actors()
        yield from self._mentions()
        for k in range(sizes.agreements):
            agreement = self.agreement(k)
            signed_latest = (
                date_bounds(agreement.signed_on, agreement.precision)[1]
                if agreement.signed_on
                else None
            )
            yield {
                "model": "actors.agreement",
                "pk": agreement.id,
                "fields": {
                    **_stamps(),
                    "title": agreement.title[:300],
                    "kind": agreement.kind,
                    "status": "signed",
                    "signed_on": agreement.signed_on and agreement.signed_on.isoformat(),
                    "signed_precision": agreement.precision,
                    "signed_on_latest": signed_latest and signed_latest.isoformat(),
                    "instrument_count": agreement.instrument_count,
                    "summary": "",
                    **_review(agreement.published),
                    "review_note": "",
                },
            }
            for actor in agreement.parties:
                yield {
                    "model": "actors.agreementparty",
                    "fields": {
                        **_stamps(),
                        "agreement": agreement.id,
                        "actor": [actor],
                        "role": "signatory" if actor in self._country_slugs else "broker",
                    },
                }
        for j in range(sizes.trade_figures):
            figure = self.figure(j)
            yield {
                "model": "actors.tradefigure",
                "pk": figure.id,
                "fields": {
                    **_stamps(),
                    "reporter": [figure.reporter],
                    "partner": [figure.partner],
                    "flow": figure.flow,
                    "commodity": figure.commodity,
                    "year": figure.year,
                    "value": f"{figure.value:.2f}",
                    "currency": figure.currency,
                    "qualifier": figure.qualifier,
                    "note": "",
                    **_review(figure.published),
                    "review_note": "",
                },
            }
        for k in range(sizes.agreements):
            agreement = self.agreement(k)
            yield self._citation(
                agreement.citation_id,
                agreement.article,
                agreement.sentence,
                self.agreement_offsets[k],
                agreement=agreement.id,
            )
        for j in range(sizes.trade_figures):
            figure = self.figure(j)
            yield self._citation(
                figure.citation_id,
                figure.article,
                figure.sentence,
                self.figure_offsets[j],
                trade_figure=figure.id,
            )

    @property
    def _country_slugs(self) -> set[str]:
        return {c[3] for c in self.countries}

    def _citation(self, pk, article, sentence, start, agreement=None, trade_figure=None):
        return {
            "model": "actors.citation",
            "pk": pk,
            "fields": {
                **_stamps(),
                "article": [_article_slug(article)],
                "agreement": agreement,
                "trade_figure": trade_figure,
                "quote": sentence,
                "char_start": start,
                "char_end": start + len(sentence),
            },
        }

    def _authors(self) -> Iterator[dict]:
        rng = random.Random(f"{self.seed}:authors")
        for i in range(self.n_authors):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            yield {
                "model": "articles.author",
                "fields": {
                    **_stamps(),
                    "name": name,
                    "slug": _author_slug(i),
                    "bio": f"{name} writes on the politics and economy of the region.",
                    "affiliation": "",
                },
            }

    def _articles(self) -> Iterator[dict]:
        sizes = self.sizes
        for a in range(sizes.articles):
            rng = random.Random(f"{self.seed}:article:{a}")
            lede = rng.choice(FILLER)
            paragraphs = []
            offset = len(lede) + 2  # Article.text is the lede, a blank line, the body
            agreements = [self.agreement(k) for k in range(a, sizes.agreements, sizes.articles)]
            figures = [self.figure(j) for j in range(a, sizes.trade_figures, sizes.articles)]
            sentences = [
                (self.agreement_offsets, k, agreement.sentence)
                for k, agreement in zip(
                    range(a, sizes.agreements, sizes.articles), agreements, strict=True
                )
            ] + [
                (self.figure_offsets, j, figure.sentence)
                for j, figure in zip(
                    range(a, sizes.trade_figures, sizes.articles), figures, strict=True
                )
            ]
            named = {slug for agreement in agreements for slug in agreement.parties}
            named.update(slug for f in figures for slug in (f.reporter, f.partner))
            self.article_actors[a] = array(
                "I", sorted(self.actor_numbers[slug] for slug in named)
            ).tobytes()
            for offsets, index, sentence in sentences:
                filler = rng.choice(FILLER)
                paragraph = f"{filler} {sentence}"
                offsets[index] = offset + len(filler) + 1
                paragraphs.append(paragraph)
                offset += len(paragraph) + 2
            paragraphs.append(rng.choice(FILLER))
            published = date(2025, 1, 1).toordinal() - int(rng.expovariate(1 / 900))
            slug = _article_slug(a)
            yield {
                "model": "articles.article",
                "fields": {
                    **_stamps(),
                    "slug": slug,
                    "title": f"{rng.choice(TOPICS).capitalize()} in Central Asia, part {a + 1}",
                    "section": _weighted(rng, SECTIONS)[0],
                    "published_on": date.fromordinal(published).isoformat(),
                    "lede": lede,
                    "body": "\n\n".join(paragraphs),
                    "source_url": f"https://example.org/analyst/{slug}",
                    "pdf_url": "",
                    "publisher_item_id": FIRST_PUBLISHER_ITEM_ID + a,
                    **_review(self.article_published(a)),
                    "review_note": "",
                },
            }
            n_authors = 1 if rng.random() < 0.8 else 2
            chosen = []
            while len(chosen) < min(n_authors, self.n_authors):
                pick = rng.choices(range(self.n_authors), weights=self.author_weights)[0]
                if pick not in chosen:
                    chosen.append(pick)
            for position, author in enumerate(chosen, start=1):
                yield {
                    "model": "articles.authorship",
                    "fields": {
                        **_stamps(),
                        "article": [slug],
                        "author": [_author_slug(author)],
                        "position": position,
                    },
                }

    def _actors(self) -> Iterator[dict]:
        for name, code, capital, slug in self.countries:
            yield {
                "model": "actors.actor",
                "fields": {
                    **_stamps(),
                    "name": name,
                    "slug": slug,
                    "kind": "country",
                    "iso_code": code,
                    "description": "",
                },
            }
            yield {
                "model": "actors.actoralias",
                "fields": {**_stamps(), "actor": [slug], "name": capital},
            }
        for name, kind, slug in self.others:
            yield {
                "model": "actors.actor",
                "fields": {
                    **_stamps(),
                    "name": name,
                    "slug": slug,
                    "kind": kind,
                    "iso_code": None,
                    "description": "",
                },
            }

    def _mentions(self) -> Iterator[dict]:
        """That each article discusses the actors its passages name."""
        slugs = list(self.actor_numbers)
        for a, packed in enumerate(self.article_actors):
            for number in array("I", packed):
                yield {
                    "model": "actors.mention",
                    "fields": {
                        **_stamps(),
                        "article": [_article_slug(a)],
                        "actor": [slugs[number]],
                    },
                }


def _slug(name: str) -> str:
    return SLUG_PREFIX + name.lower().replace(" ", "-")


def _article_slug(a: int) -> str:
    return f"{SLUG_PREFIX}article-{a:07d}"


def _author_slug(i: int) -> str:
    return f"{SLUG_PREFIX}author-{i:05d}"


def _stamps() -> dict:
    return {"created_at": TIMESTAMP, "updated_at": TIMESTAMP}


def _review(published: bool) -> dict:
    """The review columns. A published record names its verification, as the database
    requires of it (``loaddata`` writes them as they are; the importer names its run)."""
    if not published:
        return {"review_status": "needs_review"}
    return {
        "review_status": "published",
        "verified_at": TIMESTAMP,
        "verified_via": SYNTHETIC_VERIFICATION,
    }


def write_bundle(sizes: Sizes, seed: int, out: IO[str]) -> int:
    """Write the bundle as a JSON array, one record a line. Returns the number of records."""
    count = 0
    out.write("[\n")
    for record in SyntheticBundle(sizes, seed).records():
        if count:
            out.write(",\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
