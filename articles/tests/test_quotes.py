import random
import re

from articles.quotes import CollapsedText, find_quote


def _words_separated_by_any_whitespace(text: str, quote: str) -> tuple[int, int] | None:
    """The matching rule said as a regular expression: the quote's words, in order, with
    any run of whitespace between them."""
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), text)
    return None if match is None else (match.start(), match.end())


def test_the_matcher_finds_what_the_rule_says_whatever_the_whitespace():
    rng = random.Random(7)
    spaces = [" ", "  ", "\n", "\n\n", "\t", " \n ", "\u00a0", "\u2003 "]
    words = ["a", "b", "ab", "ba", "$1", "x.", "(y)"]
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice(spaces) for _ in range(rng.randint(1, 25)))
        if rng.random() < 0.2:
            text = rng.choice(spaces) + text
        tokens = text.split()
        start, length = rng.randint(0, 10), rng.randint(1, 4)
        quote = rng.choice(spaces).join(tokens[start : start + length])
        if rng.random() < 0.3:
            quote = " ".join(rng.choice(words) for _ in range(length))
        expected = _words_separated_by_any_whitespace(text, quote)
        assert CollapsedText(text).locate(quote) == expected, (text, quote)
        assert find_quote(text, quote) == expected, (text, quote)
