"""The explorer's pages: what is published, for anyone, without signing in.

Each page reads through the models' QuerySet methods that fetch what it shows, in a fixed
number of queries whatever the size of the dataset (pinned in explorer/tests). Records
under review, and quotes from articles under review, appear nowhere.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from actors import analysis
from actors.models import Actor, Agreement, Citation, TradeFigure
from articles.models import Article, Section
from articles.search import RANK, articles_matching
from explorer import charts
from explorer.forms import (
    ActorListForm,
    AgreementListForm,
    ArticleListForm,
    TradeFigureListForm,
)
from explorer.passages import paragraphs_of, passages_of

PAGE_SIZE = 20
HOME_ARTICLES = 8
HOME_ACTORS = 10
ACTOR_ARTICLES = 20
ACTOR_NEIGHBOURS = 30


def api_links(path: str, params: dict | None = None) -> dict[str, str]:
    """The API request that returns a page's data, and the same as CSV."""
    params = params or {}
    query = f"?{urlencode(params)}" if params else ""
    csv_query = f"?{urlencode({**params, 'format': 'csv'})}"
    return {"json": f"/api/v1/{path}{query}", "csv": f"/api/v1/{path}{csv_query}"}


def admin_link(request, record) -> str | None:
    """The record's page in the admin, for an editor who may change it."""
    user = request.user
    meta = record._meta
    if (
        user.is_authenticated
        and user.is_staff
        and user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
    ):
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    return None


def home(request):
    return render(
        request,
        "explorer/home.html",
        {
            "latest": Article.objects.public().newest_first().with_authors()[:HOME_ARTICLES],
            "most_written_about": Actor.objects.most_written_about()[:HOME_ACTORS],
            "counts": {
                "articles": Article.objects.public().count(),
                "actors": Actor.objects.count(),
                "agreements": Agreement.objects.public().count(),
                "trade_figures": TradeFigure.objects.public().count(),
            },
            "api": api_links("articles/"),
            "form": ArticleListForm(),
        },
    )


def _list_page(request, *, form_class, records, template, api_path, **context):
    form = form_class(request.GET or None)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        records = records.none()
        params = {}
    else:
        filters = form.cleaned_data if form.is_bound else {}
        records = context.pop("filter")(records, filters)
        params = form.api_params() if form.is_bound else {}
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": kept.urlencode(),
            "api": api_links(api_path, params),
            **context,
        },
        status=status,
    )


def _filter_articles(records, filters):
    if filters.get("q"):
        records = articles_matching(records, filters["q"])
        # On PostgreSQL the matches carry their relevance: the most relevant first.
        if RANK in records.query.annotations:
            records = records.order_by(f"-{RANK}", "slug")
    if filters.get("section"):
        records = records.filter(section=filters["section"])
    if filters.get("author"):
        records = records.filter(authors=filters["author"])
    if filters.get("actor"):
        records = records.filter(mentioned_actors=filters["actor"])
    if filters.get("year"):
        records = records.filter(published_on__year=filters["year"])
    return records


def article_list(request):
    return _list_page(
        request,
        form_class=ArticleListForm,
        records=Article.objects.public().newest_first().with_authors(),
        filter=_filter_articles,
        template="explorer/article_list.html",
        api_path="articles/",
        sections=Section.choices,
    )


def article_detail(request, slug):
    articles = (
        Article.objects.public()
        .with_authors()
        .prefetch_related(
            Prefetch("mentioned_actors", queryset=Actor.objects.order_by("name")),
            Prefetch(
                "citations",
                queryset=Citation.objects.of_published_facts().order_by("char_start"),
                to_attr="public_citations",
            ),
        )
    )
    article = _found(articles.filter(slug=slug))
    passages = passages_of(article.public_citations)
    return render(
        request,
        "explorer/article.html",
        {
            "article": article,
            "paragraphs": paragraphs_of(article.text, passages),
            "passages": passages,
            "api": api_links(f"articles/{article.slug}/"),
            "related_api": {
                "Agreements it reports": api_links("agreements/", {"article": article.slug}),
                "Trade figures it reports": api_links("trade-figures/", {"article": article.slug}),
                "Actors it mentions": api_links("actors/", {"mentioned_in": article.slug}),
            },
            "admin_url": admin_link(request, article),
        },
    )


def _filter_actors(records, filters):
    if filters.get("q", "").strip():
        records = records.matching_name(filters["q"].strip())
    if filters.get("kind"):
        records = records.filter(kind=filters["kind"])
    return records


def actor_list(request):
    return _list_page(
        request,
        form_class=ActorListForm,
        records=Actor.objects.order_by("name"),
        filter=_filter_actors,
        template="explorer/actor_list.html",
        api_path="actors/",
    )


def actor_detail(request, slug):
    actor = _found(Actor.objects.with_relations().filter(slug=slug))
    series = analysis.trade_series(actor=actor)
    figures = [
        figure
        for row in series.years
        for reports in (row.outbound, row.inbound, row.total)
        for figure in (*reports.by_actor, *reports.by_partner)
    ]
    timeline = analysis.agreements_timeline(
        agreements=Agreement.objects.public().with_party(actor)
    )
    network = analysis.actor_network(actor=actor)
    articles = Article.objects.public().newest_first().filter(mentioned_actors=actor)
    flows = charts.trade_series(figures)
    return render(
        request,
        "explorer/actor.html",
        {
            "actor": actor,
            "series": flows,
            "mirror": series.years,
            "trade_charts": charts.trade_chart(flows),
            "timeline": timeline,
            "timeline_spans": charts.agreements_timeline(timeline.agreements),
            "neighbours": charts.neighbourhood(network)[:ACTOR_NEIGHBOURS],
            "articles": list(articles[:ACTOR_ARTICLES]),
            "article_count": articles.count(),
            "api": api_links(f"actors/{actor.slug}/"),
            "related_api": {
                "Its trade year by year, beside the mirror figures": {
                    "json": f"/api/v1/trade-series/?actor={actor.slug}",
                    "csv": api_links("trade-figures/", {"actor": actor.slug})["csv"],
                },
                "Its agreements over time": {
                    "json": f"/api/v1/agreements-timeline/?party={actor.slug}",
                    "csv": api_links("agreements/", {"party": actor.slug})["csv"],
                },
                "Its network": {"json": f"/api/v1/actors/{actor.slug}/network/"},
                "Articles that mention it": api_links("articles/", {"mentions": actor.slug}),
            },
            "admin_url": admin_link(request, actor),
        },
    )


def _filter_agreements(records, filters):
    if filters.get("party"):
        records = records.with_party(filters["party"])
    if filters.get("kind"):
        records = records.filter(kind=filters["kind"])
    if filters.get("status"):
        records = records.filter(status=filters["status"])
    if filters.get("year"):
        records = records.signed_in_year(filters["year"])
    return records


def agreement_list(request):
    return _list_page(
        request,
        form_class=AgreementListForm,
        records=Agreement.objects.public().with_public_relations(),
        filter=_filter_agreements,
        template="explorer/agreement_list.html",
        api_path="agreements/",
    )


def agreement_detail(request, pk):
    agreement = _found(Agreement.objects.public().with_public_relations().filter(pk=pk))
    return render(
        request,
        "explorer/agreement.html",
        {
            "agreement": agreement,
            "precision": charts.PRECISION_WORDS.get(agreement.signed_precision),
            "api": api_links(f"agreements/{agreement.pk}/"),
            "admin_url": admin_link(request, agreement),
        },
    )


def _filter_trade_figures(records, filters):
    if filters.get("actor"):
        records = records.with_actor(filters["actor"])
    for name in ("flow", "qualifier", "year"):
        if filters.get(name):
            records = records.filter(**{name: filters[name]})
    return records


def trade_figure_list(request):
    return _list_page(
        request,
        form_class=TradeFigureListForm,
        records=TradeFigure.objects.public().with_public_relations(),
        filter=_filter_trade_figures,
        template="explorer/trade_figure_list.html",
        api_path="trade-figures/",
    )


def trade_figure_detail(request, pk):
    figure = _found(TradeFigure.objects.public().with_public_relations().filter(pk=pk))
    return render(
        request,
        "explorer/trade_figure.html",
        {
            "figure": figure,
            "series_label": charts.series_label(figure),
            "api": api_links(f"trade-figures/{figure.pk}/"),
            "admin_url": admin_link(request, figure),
        },
    )


def _found(queryset):
    found = list(queryset[:1])
    if not found:
        raise Http404("Nothing published has this address.")
    return found[0]
