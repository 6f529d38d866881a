from articles.models import Article, find_quote


def test_find_quote_treats_runs_of_whitespace_as_one_space():
    text = "Trade with Kazakhstan has reached\napproximately  $150 million annually."
    start, end = find_quote(text, "reached approximately $150 million")
    assert text[start:end] == "reached\napproximately  $150 million"


def test_find_quote_misses_a_passage_that_is_not_there():
    assert find_quote("Trade reached $150 million.", "Trade reached $160 million") is None


def test_article_text_joins_lede_and_body_and_adds_nothing_when_one_is_missing():
    assert Article(lede="Abstract.", body="Body.").text == "Abstract.\n\nBody."
    assert Article(lede="Abstract only.", body="").text == "Abstract only."
    assert Article(lede="", body="Body only.").text == "Body only."
