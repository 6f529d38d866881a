"""Reading an Analyst page pasted as text: its articles, each with its byline, title, date
line, section, lede, body and the authors' bio, page debris dropped.

The shape is the publisher's (see the corpus): a date line, the title, the byline ("By …"
or the bare names), the lede, page debris (an image's file name, a caption), the body in
parts headed BACKGROUND, IMPLICATIONS and CONCLUSION(S), the authors' bio, then
"Published in <section>" closing the item. What the text does not give stays empty:
nothing is guessed.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from articles.models import PLAUSIBLE_YEARS, Section


class IntakeError(ValueError):
    """The text cannot be read as an article: the message says why."""


@dataclass
class ParsedArticle:
    """What the text says of one article; empty where it says nothing."""

    authors: list[str] = field(default_factory=list)
    title: str = ""
    published_on: date | None = None
    section: str = ""
    lede: str = ""
    body: str = ""
    bio: str = ""
    debris: list[str] = field(default_factory=list)
    # Read from page furniture rather than the article itself: worth an editor's look.
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The citable text, as an article's: lede, a blank line, body."""
        return "\n\n".join(part for part in (self.lede, self.body) if part)

    @property
    def missing(self) -> list[str]:
        """What an article should have and the text does not give."""
        wanted = {
            "title": self.title,
            "publication date": self.published_on,
            "section": self.section,
            "author": self.authors,
            "body": self.body,
        }
        return [name for name, value in wanted.items() if not value]

    def bio_of(self, name: str) -> str:
        """The part of the bio about ``name``: the sentences from the one naming them to
        the next author's, and those about all of them ("Both are…")."""
        if len(self.authors) <= 1:
            return self.bio
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", self.bio)
        own, shared, current = [], [], None
        for sentence in sentences:
            named = [author for author in self.authors if author in sentence]
            if named:
                current = named[0]
            elif re.match(r"(Both|All|They|Each)\b", sentence):
                shared.append(sentence)
                continue
            if current == name:
                own.append(sentence)
        return " ".join(own + shared)


PUBLISHED_IN = re.compile(r"^\s*Published in\s+(?P<section>.+?)\s*$")
HEADING = re.compile(r"^(BACKGROUND|IMPLICATIONS|CONCLUSIONS?)\s*:", re.IGNORECASE)
BIO = re.compile(r"^AUTHORS?[’'`]?S?\s+BIOS?\s*:\s*", re.IGNORECASE)
BYLINE = re.compile(r"^By\s+(?P<names>.+?)\s*$")
NAME_TOKEN = r"(?:[A-Z][\w’'\-]*\.?|[A-Z]\.)"
NAME = re.compile(rf"^{NAME_TOKEN}(?:\s+{NAME_TOKEN}){{1,4}}$")
NAME_SEPARATOR = re.compile(r"\s*(?:,\s*and\s+|,|\band\b|&)\s*")
PDF_LINK = re.compile(r"^Read\s+(?P<title>.+?)\s+\(PDF\)\s*$")
DEBRIS = [
    re.compile(r"\.(?:jpe?g|png|gif|webp|svg)$", re.IGNORECASE),
    re.compile(r"^(?:Photo|Image)\s+(?:source|credit)s?\s*:", re.IGNORECASE),
    re.compile(r"^Screenshot\b"),
]
DATE_FORMATS = ("%A, %d %B %Y %H:%M", "%A, %d %B %Y", "%B %d, %Y", "%d %B %Y")
# A paragraph of prose: enough words to be more than a caption.
PROSE_WORDS = 20
SECTIONS = {label.lower(): value for value, label in Section.choices}


def _paragraphs(text: str) -> list[str]:
    """The text's paragraphs: the page puts each on a line of its own. Spaces that are
    part of the text (a no-break space closing a paragraph) are kept, as the dataset
    keeps them."""
    return [line.strip(" \t\r\n") for line in text.splitlines() if line.strip()]


def _date_line(paragraph: str) -> date | None:
    for date_format in DATE_FORMATS:
        try:
            value = datetime.strptime(paragraph.strip(), date_format).date()
        except ValueError:
            continue
        if PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]:
            return value
    return None


def _byline(paragraph: str) -> list[str] | None:
    match = BYLINE.match(paragraph)
    text = match["names"] if match else paragraph
    names = [name.strip() for name in NAME_SEPARATOR.split(text) if name.strip()]
    if names and all(NAME.match(name) for name in names):
        return names
    return None


def _is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) >= PROSE_WORDS


def _is_debris(paragraph: str) -> bool:
    if any(pattern.search(paragraph) for pattern in DEBRIS):
        return True
    # A caption or a file name: a few words and no sentence.
    return len(paragraph.split()) < 6 and not paragraph.rstrip().endswith((".", "?", "!", "”"))


def _chunks(text: str) -> list[tuple[list[str], str]]:
    """The items of the page: each one's paragraphs and its section. "Published in"
    closes the item above it; at the top of the page, it opens the item below."""
    chunks, current, pending = [], [], ""
    for paragraph in _paragraphs(text):
        match = PUBLISHED_IN.match(paragraph)
        if match is None:
            current.append(paragraph)
        elif current:
            chunks.append((current, pending or match["section"]))
            current, pending = [], ""
        else:
            pending = match["section"]
    if current:
        chunks.append((current, pending))
    return chunks


def _article(paragraphs: list[str], section_label: str) -> ParsedArticle | None:
    parsed = ParsedArticle()
    if section_label:
        parsed.section = SECTIONS.get(section_label.lower(), Section.OTHER)
        if parsed.section == Section.OTHER and section_label.lower() != "other":
            parsed.notes.append(f"Section: “{section_label}” is not one of the dataset's.")
    lede_at = next(
        (
            index
            for index, paragraph in enumerate(paragraphs)
            if _is_prose(paragraph) and not HEADING.match(paragraph) and not BIO.match(paragraph)
        ),
        None,
    )
    if lede_at is None:
        return None
    head = paragraphs[:lede_at]
    # The byline: "By …", else the last paragraph before the lede that is only names (a
    # title in title case may look like names too, and it comes first).
    byline_at = next(
        (index for index, paragraph in enumerate(head) if BYLINE.match(paragraph)), None
    )
    if byline_at is None or _byline(head[byline_at]) is None:
        byline_at = next(
            (
                index
                for index in reversed(range(len(head)))
                if not _date_line(head[index]) and _byline(head[index])
            ),
            None,
        )
    for index, paragraph in enumerate(head):
        when = _date_line(paragraph)
        if when and parsed.published_on is None:
            parsed.published_on = when
        elif index == byline_at:
            parsed.authors = _byline(paragraph)
        elif (
            not parsed.title
            and not any(pattern.search(paragraph) for pattern in DEBRIS)
            and len(paragraph) <= 300
        ):
            parsed.title = paragraph
        else:
            parsed.debris.append(paragraph)
    if not parsed.authors:
        return None  # No byline: page furniture (the site's footer), not an article.
    parsed.lede = paragraphs[lede_at]
    rest = paragraphs[lede_at + 1 :]
    first_heading = next(
        (index for index, paragraph in enumerate(rest) if HEADING.match(paragraph)), None
    )
    body = []
    for index, paragraph in enumerate(rest):
        before_body = first_heading is None or index < first_heading
        if BIO.match(paragraph):
            parsed.bio = BIO.sub("", paragraph).strip()
            body.append(paragraph)
        elif _is_debris(paragraph) or (before_body and not _is_prose(paragraph)):
            parsed.debris.append(paragraph)
            link = PDF_LINK.match(paragraph)
            if link and not parsed.title:
                parsed.title = link["title"]
                parsed.notes.append("Title: read from the link to the PDF, not a title line.")
        elif first_heading is not None and index < first_heading:
            parsed.debris.append(paragraph)
        else:
            body.append(paragraph)
    parsed.body = "\n\n".join(body)
    return parsed


def parse_page(text: str) -> list[ParsedArticle]:
    """The articles of a page pasted as text, in page order.

    Raises ``IntakeError`` when the text holds none (empty, or no byline followed by a
    paragraph of prose), saying what an article needs.
    """
    if not isinstance(text, str) or not text.strip():
        raise IntakeError("The text is empty: paste an article as the Analyst publishes it.")
    articles = [
        article
        for paragraphs, section in _chunks(text)
        if (article := _article(paragraphs, section)) is not None
    ]
    if not articles:
        raise IntakeError(
            "No article found in the text: an article starts with its byline (“By …” or the "
            f"author's name) followed by a paragraph of at least {PROSE_WORDS} words."
        )
    return articles
