"""What an article's text proposes to an editor: the actors it mentions, the trade figures
and the agreements it reports, each with the passage (and its character offsets) that
states it, why it was proposed and which of its values are guesses.

Pure functions of the text and the known actors: nothing here reads or writes the
database (``intake/services.py`` does, and filters what was rejected or is curated).
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import ahocorasick

from actors.models import ActorKind, AgreementKind, AgreementStatus, DatePrecision, Qualifier
from actors.models import TradeFlow as Flow
from intake.models import CandidateKind


@dataclass(frozen=True)
class KnownActor:
    id: int
    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class Occurrence:
    start: int
    end: int
    surface: str


@dataclass
class Candidate:
    """A fact the text may state. ``values`` pre-fill the editor's form; ``guesses``
    names those of them the text does not state outright; ``reasons`` say why it was
    proposed."""

    kind: str
    start: int
    end: int
    quote: str
    values: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What identifies the candidate across runs: its kind, its passage and what it
        proposes (a rejected candidate is not proposed again)."""
        if self.kind in (CandidateKind.MENTION, CandidateKind.AMBIGUOUS):
            detail = self.values.get("actor_slug") or self.values.get("surface", "")
        elif self.kind == CandidateKind.TRADE_FIGURE:
            detail = f"{self.values['value']} {self.values['currency']} {self.quote}"
        else:
            detail = self.quote
        digest = hashlib.sha256(f"{self.kind}|{detail}".encode()).hexdigest()
        return digest[:32]


# Actors ------------------------------------------------------------------------------------


# The adjectives of country names that do not follow the usual endings (-n, -ian, -i).
ADJECTIVES = {
    "China": ["Chinese"],
    "France": ["French"],
    "Turkey": ["Turkish"],
    "Kazakhstan": ["Kazakh", "Kazakhstani"],
    "Uzbekistan": ["Uzbek"],
    "Kyrgyzstan": ["Kyrgyz"],
    "Tajikistan": ["Tajik"],
    "Turkmenistan": ["Turkmen"],
    "United States": ["American"],
    "United Kingdom": ["British"],
    "Japan": ["Japanese"],
    "Ukraine": ["Ukrainian"],
    "Israel": ["Israeli"],
    "Pakistan": ["Pakistani"],
    "Azerbaijan": ["Azerbaijani"],
    "Iran": ["Iranian"],
    "India": ["Indian"],
    "Belarus": ["Belarusian"],
}


def _adjectives(name: str) -> list[str]:
    """The adjectives an English text uses for a country ("Armenian", "French")."""
    if name in ADJECTIVES:
        return ADJECTIVES[name]
    if name.endswith("a") and " " not in name:
        return [f"{name}n"]  # Armenia → Armenian, Russia → Russian, Mongolia → Mongolian.
    return []


class ActorIndex:
    """Every name and alias of the known actors, matched at once (Aho-Corasick).

    A person's surname alone also names them; a name that several actors answer to
    ("Aliyev": Ilham and Heydar) is ambiguous and flagged, never guessed.
    """

    def __init__(self, actors: list[KnownActor], aliases: list[tuple[int, str]]):
        self.actors = {actor.id: actor for actor in actors}
        names: dict[str, set[int]] = {}
        how: dict[tuple[str, int], str] = {}

        def add(surface: str, actor_id: int, reason: str) -> None:
            surface = surface.strip()
            if len(surface) < 2:
                return
            for variant in {surface, surface[0].upper() + surface[1:]}:
                names.setdefault(variant, set()).add(actor_id)
                how.setdefault((variant, actor_id), reason)

        for actor in actors:
            add(actor.name, actor.id, "its name")
        for actor_id, alias in aliases:
            if actor_id in self.actors:
                add(alias, actor_id, "an alias")
        for actor in actors:
            if actor.kind == ActorKind.COUNTRY:
                for adjective in _adjectives(actor.name):
                    add(adjective, actor.id, "the adjective")
            parts = actor.name.split()
            if actor.kind == ActorKind.PERSON and len(parts) > 1:
                add(parts[-1], actor.id, "the surname")
        self.names = names
        self.how = how
        self.automaton = ahocorasick.Automaton()
        for surface in names:
            self.automaton.add_word(surface, surface)
        if names:
            self.automaton.make_automaton()

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Occurrence]:
        """The names in ``text[start:end]``, whole words only, the longest first where two
        overlap ("Heydar Aliyev" rather than "Aliyev" in it)."""
        if not self.names:
            return []
        end = len(text) if end is None else end
        found = []
        for last, surface in self.automaton.iter(text, start, end):
            first = last - len(surface) + 1
            before = text[first - 1] if first > 0 else " "
            after = text[last + 1] if last + 1 < len(text) else " "
            if before.isalnum() or after.isalnum():
                continue
            found.append(Occurrence(first, last + 1, surface))
        found.sort(key=lambda o: (o.start, -(o.end - o.start)))
        chosen, reach = [], -1
        for occurrence in found:
            if occurrence.start >= reach:
                chosen.append(occurrence)
                reach = occurrence.end
        return chosen

    def actors_of(self, surface: str) -> list[KnownActor]:
        return sorted(
            (self.actors[actor_id] for actor_id in self.names.get(surface, ())),
            key=lambda actor: actor.slug,
        )


# Sentences ---------------------------------------------------------------------------------

ABBREVIATIONS = {"U.S.", "U.K.", "Dr.", "Mr.", "Mrs.", "Ms.", "St.", "e.g.", "i.e.", "etc.", "No."}
SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text's sentences, paragraph by paragraph."""
    spans = []
    for paragraph in re.finditer(r"[^\n]+", text):
        start = paragraph.start()
        chunk_end = paragraph.end()
        for match in SENTENCE_END.finditer(text, start, chunk_end):
            space = text.rfind(" ", start, match.start())
            word = text[(space + 1 if space >= 0 else start) : match.start() + 1]
            if word in ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", word):
                continue
            spans.append((start, match.end()))
            start = match.end()
            while start < chunk_end and text[start].isspace():
                start += 1
        if start < chunk_end and text[start:chunk_end].strip():
            spans.append((start, len(text[:chunk_end].rstrip())))
    return [_past_heading(text, start, end) for start, end in spans]


HEADING = re.compile(r"(?:BACKGROUND|IMPLICATIONS|CONCLUSIONS?)\s*:\s*", re.IGNORECASE)


def _past_heading(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence less the part heading it opens with ("BACKGROUND: "): not a passage of
    the fact it states."""
    heading = HEADING.match(text, start, end)
    return (heading.end(), end) if heading and heading.end() < end else (start, end)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Mentions ----------------------------------------------------------------------------------


def mention_candidates(text: str, index: ActorIndex) -> list[Candidate]:
    """One candidate per actor the text names, with every place it does; one per
    ambiguous name, listing the actors it may be."""
    by_actor: dict[int, list[Occurrence]] = {}
    ambiguous: dict[str, list[Occurrence]] = {}
    for occurrence in index.find(text):
        actors = index.actors_of(occurrence.surface)
        if len(actors) == 1:
            by_actor.setdefault(actors[0].id, []).append(occurrence)
        else:
            ambiguous.setdefault(occurrence.surface, []).append(occurrence)
    candidates = []
    for actor_id, occurrences in by_actor.items():
        actor = index.actors[actor_id]
        first = occurrences[0]
        surfaces = sorted({o.surface for o in occurrences})
        reasons = [
            f"“{surface}” is {index.how[(surface, actor_id)]} of {actor.name}"
            for surface in surfaces
        ]
        guesses = [
            f"“{surface}” names {actor.name} by {index.how[(surface, actor_id)]} alone"
            for surface in surfaces
            if index.how[(surface, actor_id)] in ("the surname", "the adjective")
        ]
        candidates.append(
            Candidate(
                kind=CandidateKind.MENTION,
                start=first.start,
                end=first.end,
                quote=first.surface,
                values={"actor_id": actor.id, "actor_slug": actor.slug, "actor": actor.name},
                reasons=[f"{len(occurrences)} occurrence(s); " + "; ".join(reasons)],
                guesses=guesses,
                occurrences=occurrences,
            )
        )
    for surface, occurrences in ambiguous.items():
        actors = index.actors_of(surface)
        first = occurrences[0]
        candidates.append(
            Candidate(
                kind=CandidateKind.AMBIGUOUS,
                start=first.start,
                end=first.end,
                quote=surface,
                values={"surface": surface, "actors": [a.slug for a in actors]},
                reasons=[
                    f"“{surface}” names several actors ("
                    + ", ".join(a.name for a in actors)
                    + "): the editor chooses, nothing is guessed"
                ],
                occurrences=occurrences,
            )
        )
    candidates.sort(key=lambda c: c.start)
    return candidates


# Trade figures -----------------------------------------------------------------------------

CURRENCIES = {
    "us$": "USD",
    "$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "rubles": "RUB",
    "roubles": "RUB",
    "rub": "RUB",
    "yuan": "CNY",
    "cny": "CNY",
    "manat": "AZN",
    "tenge": "KZT",
    "lari": "GEL",
}
SCALES = {
    "thousand": Decimal(1000),
    "million": Decimal(10**6),
    "mln": Decimal(10**6),
    "m": Decimal(10**6),
    "billion": Decimal(10**9),
    "bn": Decimal(10**9),
    "trillion": Decimal(10**12),
}
NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
SCALE = r"(?:\s*(?P<scale>thousand|million|mln|billion|bn|trillion|m)\b)?"
AMOUNT = re.compile(
    rf"(?:(?P<symbol>US\$|\$|€|£|\b(?:USD|EUR|GBP|RUB|CNY))\s?{NUMBER}{SCALE}"
    rf"|\b{NUMBER.replace('number', 'number2')}"
    r"(?:\s*(?P<scale2>thousand|million|billion|trillion))?\s+"
    r"(?P<word>(?:US\s)?dollars|euros|rubles|roubles|yuan|manat|tenge|lari)\b)",
    re.IGNORECASE,
)
QUALIFIERS = [
    (Qualifier.AT_MOST, r"did not exceed|not exceeding|no more than|at most|up to"),
    (Qualifier.AT_LEAST, r"at least|no less than"),
    (Qualifier.NEARLY, r"nearly|almost|close to|just under"),
    (Qualifier.APPROXIMATELY, r"approximately|about|around|roughly|some|an estimated|circa"),
    (Qualifier.OVER, r"over|more than|above|exceeding|in excess of|upwards of"),
    (Qualifier.UNDER, r"under|less than|below"),
]
QUALIFIER_BEFORE = [
    (qualifier, re.compile(rf"\b(?:{words})\s*$", re.IGNORECASE))
    for qualifier, words in QUALIFIERS
]
YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b(?!s)")
YEAR_AFTER = re.compile(
    r"^\s*(?:(?:in|by|during|for|as of)\s+(?:(?:the\s+)?(?:fiscal|calendar)\s+(?:year\s+)?)?"
    r"(?P<year>(?:19|20)\d{2})\b)",
    re.IGNORECASE,
)
ANNUAL = re.compile(r"^\s*(?:annually|a year|per year|per annum|each year|every year)\b")
SAME_PERIOD = re.compile(r"\b(?:the\s+)?same\s+(?:period|years|timeframe|time)\b", re.I)
FLOWS = [
    (Flow.EXPORT, re.compile(r"\bexport(?:s|ed|ing)?\b", re.IGNORECASE)),
    (Flow.IMPORT, re.compile(r"\bimport(?:s|ed|ing)?\b", re.IGNORECASE)),
    (Flow.TOTAL, re.compile(r"\b(?:trade|trading|turnover)\b", re.IGNORECASE)),
]
COMMODITY = re.compile(
    r"\b(?:exports?|imports?|sales?|shipments?)\s+of\s+(?P<goods>[a-z][a-z\- ]{2,40}?)"
    r"(?=\s+(?:growing|grew|rose|from|to|increased|reached|surged|were|was|have|has)\b|,)"
)
PARTNER_BEFORE = re.compile(r"\b(?:with|to|from|and)\s+(?:the\s+)?$", re.IGNORECASE)
ACTOR_KINDS_FOR_PARTIES = {ActorKind.COUNTRY, ActorKind.ORGANIZATION, ActorKind.COMPANY}


def _amount_value(match: re.Match) -> tuple[Decimal, str, str]:
    number = match["number"] or match["number2"]
    scale = (match["scale"] or match["scale2"] or "").lower()
    currency_text = (match["symbol"] or match["word"] or "").lower().replace("us ", "")
    value = Decimal(number.replace(",", "")) * SCALES.get(scale, Decimal(1))
    return value.quantize(Decimal("0.01")), CURRENCIES.get(currency_text, "USD"), scale


def _qualifier(text: str, start: int, floor: int) -> tuple[str, str]:
    before = text[max(floor, start - 40) : start]
    for qualifier, pattern in QUALIFIER_BEFORE:
        found = pattern.search(before)
        if found:
            return qualifier, found.group(0).strip()
    return Qualifier.EXACT, ""


def _flow(text: str, start: int, end: int, sentence: tuple[int, int]) -> tuple[str, str]:
    """The flow word nearest the amount before it in its sentence, else after it."""
    best = None
    for flow, pattern in FLOWS:
        for found in pattern.finditer(text, sentence[0], sentence[1]):
            if found.end() <= start:
                distance = (0, start - found.end())
            elif found.start() >= end:
                distance = (1, found.start() - end)
            else:
                continue
            if best is None or distance < best[0]:
                best = (distance, flow, found.group(0))
    if best is None:
        return Flow.TOTAL, ""
    return best[1], best[2]


def _sentence_years(text: str, span: tuple[int, int]) -> list[tuple[int, int, bool]]:
    """The years a sentence names: (offset, year, whether "in/by/during" introduces it)."""
    years = []
    for found in YEAR.finditer(text, span[0], span[1]):
        before = text[max(span[0], found.start() - 12) : found.start()]
        introduced = bool(re.search(r"\b(?:in|by|during|since|of)\s+$", before, re.IGNORECASE))
        years.append((found.start(), int(found["year"]), introduced))
    return years


def _parties(
    index: ActorIndex, text: str, span: tuple[int, int]
) -> list[tuple[KnownActor, Occurrence]]:
    found = []
    for occurrence in index.find(text, span[0], span[1]):
        actors = index.actors_of(occurrence.surface)
        if len(actors) == 1 and occurrence.end <= span[1]:
            found.append((actors[0], occurrence))
    return found


def trade_figure_candidates(
    text: str, index: ActorIndex, *, spans: list[tuple[int, int]] | None = None
) -> list[Candidate]:
    """One candidate per money amount of the text, with its qualifier, year, flow and the
    actors around it as guesses of the reporter and the partner."""
    spans = sentences(text) if spans is None else spans
    country_counts = Counter(
        actor.id
        for occurrence in index.find(text)
        for actor in index.actors_of(occurrence.surface)
        if actor.kind == ActorKind.COUNTRY
    )
    main_country = country_counts.most_common(1)[0][0] if country_counts else None
    candidates = []
    for position, span in enumerate(spans):
        amounts = list(AMOUNT.finditer(text, span[0], span[1]))
        if not amounts:
            continue
        years = _sentence_years(text, span)
        claimed: dict[int, int | None] = {}
        annual = set()
        for number, match in enumerate(amounts):
            after = text[match.end() : span[1]]
            if ANNUAL.match(after):
                annual.add(number)
                claimed[number] = None
            elif found := YEAR_AFTER.match(after):
                claimed[number] = int(found["year"])
        taken = {year for year in claimed.values() if year}
        free = [year for _, year, introduced in years if year not in taken and introduced] or [
            year for _, year, _ in years if year not in taken
        ]
        previous_years = []
        if position > 0 and SAME_PERIOD.search(text, span[0], span[1]):
            previous_years = [year for _, year, _ in _sentence_years(text, spans[position - 1])]
        unclaimed = [n for n in range(len(amounts)) if n not in claimed]
        parties = _parties(index, text, span)
        before = _parties(index, text, spans[position - 1]) if position > 0 else []
        for number, match in enumerate(amounts):
            value, currency, scale = _amount_value(match)
            if not scale and value < 1000:
                continue  # "$5" alone is not a trade value the Analyst reports.
            reasons = [f"a money amount: “{match.group(0)}”"]
            guesses = []
            if number in claimed:
                year = claimed[number]
                reasons.append(
                    "no year: the text gives it as an annual value"
                    if number in annual
                    else f"the year follows the amount: {year}"
                )
            elif len(free) == 1:
                year = free[0]
                reasons.append(f"the year of its sentence: {year}")
            elif previous_years and len(previous_years) == len(unclaimed):
                year = previous_years[unclaimed.index(number)]
                guesses.append(
                    f"year {year}: its sentence says “the same period”, read as the years of "
                    "the sentence before, in order"
                )
            elif free:
                year = free[0]
                guesses.append(f"year {year}: the first of the sentence's years {free}")
            else:
                year = None
                reasons.append("no year in its sentence")
            qualifier, qualifier_words = _qualifier(text, match.start(), span[0])
            reasons.append(
                f"qualifier “{qualifier_words}”" if qualifier_words else "no qualifier word"
            )
            flow, flow_word = _flow(text, match.start(), match.end(), span)
            if flow_word:
                reasons.append(f"flow word “{flow_word}”")
            else:
                guesses.append("flow: no flow word in the sentence; total trade assumed")
            reporter, partner = _reporter_and_partner(
                text, parties, before, main_country, index, guesses
            )
            goods = COMMODITY.search(text, span[0], match.start())
            quote_start, quote_end = _strip(text, *span)
            candidates.append(
                Candidate(
                    kind=CandidateKind.TRADE_FIGURE,
                    start=quote_start,
                    end=quote_end,
                    quote=text[quote_start:quote_end],
                    values={
                        "value": value,
                        "currency": currency,
                        "year": year,
                        "qualifier": qualifier,
                        "flow": flow,
                        "reporter": reporter,
                        "partner": partner,
                        "commodity": goods["goods"].strip() if goods else "",
                        "amount_start": match.start(),
                        "amount_end": match.end(),
                        "amount_text": match.group(0),
                        "note": "Given as an annual value." if number in annual else "",
                    },
                    reasons=reasons,
                    guesses=guesses,
                )
            )
    return candidates


def _reporter_and_partner(text, parties, before, main_country, index, guesses):
    """Reporter and partner guesses: the sentence's actors (one after "with", "to" or
    "from" is the partner), then the sentence before's, then the article's most named
    country. Every one of them is a guess."""
    reporter = partner = None
    for actor, occurrence in parties:
        if actor.kind not in ACTOR_KINDS_FOR_PARTIES:
            continue
        is_partner = PARTNER_BEFORE.search(text[max(0, occurrence.start - 12) : occurrence.start])
        if is_partner and partner is None:
            partner = actor
        elif reporter is None and actor != partner:
            reporter = actor
        elif partner is None and actor != reporter:
            partner = actor
    for actor, _ in before:
        if actor.kind not in ACTOR_KINDS_FOR_PARTIES or actor in (reporter, partner):
            continue
        if reporter is None:
            reporter = actor
            guesses.append(f"reporter {actor.name}: named in the sentence before")
        elif partner is None:
            partner = actor
            guesses.append(f"partner {actor.name}: named in the sentence before")
    if reporter is None and main_country is not None:
        actor = index.actors[main_country]
        if actor != partner:
            reporter = actor
            guesses.append(f"reporter {actor.name}: the country the article names most")
    if reporter is not None and not any(reporter.name in g for g in guesses):
        guesses.append(f"reporter {reporter.name}: the sentence names it")
    if partner is not None and not any(partner.name in g for g in guesses):
        guesses.append(f"partner {partner.name}: the sentence names it")
    return (
        reporter.slug if reporter else None,
        partner.slug if partner else None,
    )


# Agreements --------------------------------------------------------------------------------

AGREEMENT_WORDS = re.compile(
    r"\b(?:sign(?:ed|ing)?|treat(?:y|ies)|agreements?|agreed|declarations?|memorand(?:um|a)"
    r"|charters?|accords?|protocols?|joint\s+ventures?|conventions?|pacts?"
    r"|(?:strategic|comprehensive)\s+partnerships?|statement)\b",
    re.IGNORECASE,
)
KINDS = [
    (AgreementKind.TREATY, r"treat(?:y|ies)"),
    (AgreementKind.CHARTER, r"charter"),
    (AgreementKind.DECLARATION, r"declaration"),
    (AgreementKind.MEMORANDUM, r"memorand"),
    (AgreementKind.JOINT_STATEMENT, r"Statement|joint statement"),
    (AgreementKind.JOINT_VENTURE, r"joint venture"),
    (AgreementKind.STRATEGIC_PARTNERSHIP, r"strategic partnership"),
    (AgreementKind.PACKAGE, r"\d+\s+(?:\w+\s+)?agreements|agreements"),
]
STATUSES = [
    (AgreementStatus.PROPOSED, r"potential|proposed|negotiat|would|could"),
    (AgreementStatus.SIGNED, r"\bsign(?:ed|ing)\b|concluded"),
    (AgreementStatus.AGREED, r"\bagreed\b"),
]
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
MONTH_NUMBER = {name: number for number, name in enumerate(MONTHS.split("|"), start=1)}
DATES = [
    (
        DatePrecision.DAY,
        re.compile(rf"\b(?P<month>{MONTHS})\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})"),
    ),
    (
        DatePrecision.DAY,
        re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{MONTHS}),?\s+(?P<year>\d{{4}})"),
    ),
    (
        DatePrecision.DAY,
        re.compile(rf"\b(?P<month>{MONTHS})\s+(?P<day>\d{{1,2}})\b(?!,?\s*\d{{4}})"),
    ),
    (DatePrecision.MONTH, re.compile(rf"\b(?P<month>{MONTHS})\s+(?:of\s+)?(?P<year>\d{{4}})")),
    (DatePrecision.MONTH, re.compile(rf"\b(?:in|since|by)\s+(?P<month>{MONTHS})\b(?!\s+\d)")),
    (DatePrecision.YEAR, re.compile(r"\b(?P<year>(?:19|20)\d{2})\b(?!s)")),
]
TITLE_WORD = r"(?:[A-Z][\w’'\-]*|on|of|and|the|for|between)"
TITLED = re.compile(rf"\b[A-Z][\w’'\-]*(?:\s+{TITLE_WORD})*")


def sentence_dates(text: str, span: tuple[int, int], published_on: date | None) -> list[dict]:
    """The dates a sentence gives, most precise first, each with its precision and what
    was guessed (a year the sentence leaves out, read from the publication date)."""
    found, covered = [], []
    for precision, pattern in DATES:
        for match in pattern.finditer(text, span[0], span[1]):
            if any(match.start() < end and start < match.end() for start, end in covered):
                continue
            covered.append((match.start(), match.end()))
            groups = match.groupdict()
            guess = ""
            year = int(groups["year"]) if groups.get("year") else None
            month = MONTH_NUMBER[groups["month"]] if groups.get("month") else 1
            day = int(groups["day"]) if groups.get("day") else 1
            if year is None:
                if published_on is None:
                    continue  # A day or month of an unknown year: not a date.
                year = published_on.year
                if month > published_on.month:
                    year -= 1
                guess = f"year {year}: the text leaves it out; read from the publication date"
            try:
                value = date(year, month, day)
            except ValueError:
                continue
            found.append(
                {
                    "date": value,
                    "precision": precision,
                    "text": match.group(0),
                    "start": match.start(),
                    "guess": guess,
                }
            )
    order = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}
    found.sort(key=lambda item: (order[item["precision"]], item["start"]))
    return found


def agreement_candidates(
    text: str,
    index: ActorIndex,
    *,
    published_on: date | None = None,
    spans: list[tuple[int, int]] | None = None,
) -> list[Candidate]:
    """One candidate per sentence that reports a signing or an agreement, with its date
    (and precision), the actors it names as parties, and a kind and title guessed from
    its words."""
    spans = sentences(text) if spans is None else spans
    candidates = []
    for span in spans:
        words = [m for m in AGREEMENT_WORDS.finditer(text, span[0], span[1])]
        if not words:
            continue
        sentence = text[span[0] : span[1]]
        start, end = _strip(text, *span)
        reasons = ["agreement words: " + ", ".join(f"“{m.group(0)}”" for m in words)]
        guesses = []
        kind = AgreementKind.OTHER
        for candidate_kind, pattern in KINDS:
            if re.search(pattern, sentence, 0 if candidate_kind == "joint-statement" else re.I):
                kind = candidate_kind
                break
        guesses.append(f"kind {kind}: from the words of the sentence")
        status = AgreementStatus.UNKNOWN
        for candidate_status, pattern in STATUSES:
            if re.search(pattern, sentence, re.IGNORECASE):
                status = candidate_status
                break
        guesses.append(f"status {status}: from the words of the sentence")
        dates = sentence_dates(text, span, published_on)
        signed = dates[0] if dates else None
        if signed:
            reasons.append(f"date “{signed['text']}” ({signed['precision']})")
            if signed["guess"]:
                guesses.append(signed["guess"])
            if len(dates) > 1:
                guesses.append(
                    "date: the sentence gives several ("
                    + ", ".join(d["text"] for d in dates)
                    + "); the most precise is proposed"
                )
        parties = []
        for actor, _ in _parties(index, text, span):
            if actor.kind in ACTOR_KINDS_FOR_PARTIES and actor.slug not in parties:
                parties.append(actor.slug)
        if parties:
            guesses.append("parties: the actors the sentence names")
        count = re.search(r"\b(\d+)\s+(?:\w+\s+)?agreements\b", sentence)
        titled = [
            m.group(0).strip()
            for m in TITLED.finditer(sentence)
            if AGREEMENT_WORDS.search(m.group(0)) and len(m.group(0).split()) > 1
        ]
        nouns = [m.group(0) for m in words if not re.match(r"sign|agreed", m.group(0), re.I)]
        title = titled[0] if titled else (nouns or [words[0].group(0)])[0]
        if not titled:
            guesses.append("title: the agreement's words; the sentence gives no name")
        candidates.append(
            Candidate(
                kind=CandidateKind.AGREEMENT,
                start=start,
                end=end,
                quote=text[start:end],
                values={
                    "title": title[:300],
                    "kind": kind,
                    "status": status,
                    "signed_on": signed["date"] if signed else None,
                    "signed_precision": signed["precision"] if signed else "",
                    "parties": parties,
                    "instrument_count": int(count.group(1)) if count else None,
                },
                reasons=reasons,
                guesses=guesses,
            )
        )
    return candidates


def all_candidates(
    text: str, index: ActorIndex, *, published_on: date | None = None
) -> dict[str, list[Candidate]]:
    """Every candidate of the text, by kind."""
    spans = sentences(text)
    mentions = mention_candidates(text, index)
    return {
        CandidateKind.MENTION: [c for c in mentions if c.kind == CandidateKind.MENTION],
        CandidateKind.AMBIGUOUS: [c for c in mentions if c.kind == CandidateKind.AMBIGUOUS],
        CandidateKind.TRADE_FIGURE: trade_figure_candidates(text, index, spans=spans),
        CandidateKind.AGREEMENT: agreement_candidates(
            text, index, published_on=published_on, spans=spans
        ),
    }
