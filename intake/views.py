"""The editors' intake pages in the admin: paste → preview → save, then the article's
candidates to accept (a pre-filled form), or reject.

Editors may use them (they add articles and facts); Viewers may not.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from actors.models import Actor, Agreement
from articles.models import Article
from intake import services
from intake.forms import AgreementForm, PasteForm, TradeFigureForm
from intake.models import CandidateKind
from intake.parser import IntakeError

RECENT_ARTICLES = 20


def _require(request, *permissions: str) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


def _candidates_url(article: Article) -> str:
    return reverse("intake:candidates", args=[article.pk])


def paste_view(request):
    """The page to paste an article into: preview on the first submit, save on confirm."""
    _require(request, "articles.add_article", "articles.add_author")
    form = PasteForm(request.POST or None)
    previews = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if "confirm" in request.POST:
                saved = services.intake_save(text=text)
                for article, created in saved:
                    if created:
                        messages.success(request, f"Saved “{article}”: it needs review.")
                    else:
                        messages.info(request, f"“{article}” is already in the dataset.")
                return HttpResponseRedirect(_candidates_url(saved[0][0]))
            previews = services.intake_preview(text=text)
        except IntakeError as error:
            form.add_error("text", str(error))
        except ValidationError as error:
            form.add_error(None, error)
    recent = Article.objects.order_by("-created_at")[:RECENT_ARTICLES]
    return TemplateResponse(
        request,
        "intake/paste.html",
        _context(request, "Bring in an article", form=form, previews=previews, recent=recent),
    )


def candidates_view(request, article_id):
    _require(request, "articles.view_article")
    article = get_object_or_404(Article, pk=article_id)
    found = services.article_candidates(article=article)
    sections = [
        (CandidateKind.TRADE_FIGURE, "Trade figures"),
        (CandidateKind.AGREEMENT, "Agreements"),
        (CandidateKind.MENTION, "Mentions"),
        (CandidateKind.AMBIGUOUS, "Ambiguous names (not guessed)"),
    ]
    text = article.text
    may_cite = request.user.has_perm("actors.change_agreement")
    options = (
        services.agreements_for(article, found.by_kind[CandidateKind.AGREEMENT])
        if may_cite
        else {}
    )
    groups = [
        {
            "kind": kind,
            "label": label,
            "rows": [
                {
                    "candidate": candidate,
                    "before": text[max(0, candidate.start - 80) : candidate.start],
                    "after": text[candidate.end : candidate.end + 80],
                    "summary": services.candidate_summary(candidate),
                    "parts": _marked(candidate),
                    "agreements": options.get(candidate.key, []),
                }
                for candidate in found.by_kind.get(kind, [])
            ],
        }
        for kind, label in sections
    ]
    return TemplateResponse(
        request,
        "intake/candidates.html",
        _context(
            request,
            f"Candidates of “{article}”",
            article=article,
            groups=groups,
            curated=found.curated,
            rejected=found.rejected,
            can_edit=request.user.has_perm("articles.change_article"),
        ),
    )


def _marked(candidate) -> tuple[str, str, str] | None:
    """A trade figure's passage split around its amount, to mark it."""
    values = candidate.values
    if "amount_start" not in values:
        return None
    start = values["amount_start"] - candidate.start
    end = values["amount_end"] - candidate.start
    return candidate.quote[:start], candidate.quote[start:end], candidate.quote[end:]


ACCEPT_FORMS = {
    CandidateKind.TRADE_FIGURE: (TradeFigureForm, "actors.add_tradefigure"),
    CandidateKind.AGREEMENT: (AgreementForm, "actors.add_agreement"),
}


def accept_view(request, article_id, kind, key):
    """A candidate's pre-filled form; saving it writes the record through the services."""
    article = get_object_or_404(Article, pk=article_id)
    if kind == CandidateKind.MENTION:
        return _accept_mention(request, article, key)
    if kind not in ACCEPT_FORMS:
        raise PermissionDenied
    form_class, permission = ACCEPT_FORMS[kind]
    _require(request, permission)
    try:
        candidate = services.article_candidates(article=article).find(kind, key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(_candidates_url(article))
    form = form_class(request.POST or None, initial=form_class.initial_from(candidate))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if kind == CandidateKind.TRADE_FIGURE:
                record = services.trade_figure_accept(article=article, candidate=candidate, **data)
            else:
                signed_on, precision = data.pop("signed")
                record = services.agreement_accept(
                    article=article,
                    candidate=candidate,
                    signed_on=signed_on,
                    signed_precision=precision,
                    **data,
                )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, f"Saved “{record}”: it needs review.")
            return HttpResponseRedirect(_candidates_url(article))
    return TemplateResponse(
        request,
        "intake/accept.html",
        _context(
            request,
            f"Accept a {'trade figure' if kind == CandidateKind.TRADE_FIGURE else 'agreement'}",
            article=article,
            candidate=candidate,
            form=form,
        ),
    )


def _errors_onto(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            name = {"citations": "quote", "signed_on": "signed", "signed_precision": "signed"}
            target = name.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
def _accept_mention(request, article, key):
    _require(request, "actors.add_mention")
    try:
        candidate = services.article_candidates(article=article).find(CandidateKind.MENTION, key)
        actor = Actor.objects.get(pk=candidate.values["actor_id"])
        services.mention_accept(article=article, actor=actor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Saved the mention of {actor}.")
    return HttpResponseRedirect(_candidates_url(article))


@require_POST
def reject_view(request, article_id, kind, key):
    _require(request, "articles.change_article")
    article = get_object_or_404(Article, pk=article_id)
    try:
        rejection = services.candidate_reject(
            article=article, kind=kind, key=key, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Rejected: {rejection.summary}. It will not be proposed again.")
    return HttpResponseRedirect(_candidates_url(article))


@require_POST
def accept_mentions_view(request, article_id):
    """Every mention proposed for the article, at once (ambiguous names stay out)."""
    _require(request, "actors.add_mention")
    article = get_object_or_404(Article, pk=article_id)
    candidates = services.article_candidates(article=article).by_kind[CandidateKind.MENTION]
    saved = services.mentions_accept(
        article=article, actor_ids=[c.values["actor_id"] for c in candidates]
    )
    messages.success(request, f"Saved {len(saved)} mention{'s' if len(saved) != 1 else ''}.")
    return HttpResponseRedirect(_candidates_url(article))


@require_POST
def cite_view(request, article_id, key):
    """An agreement candidate added as a citation of an agreement already in the dataset."""
    _require(request, "actors.change_agreement")
    article = get_object_or_404(Article, pk=article_id)
    agreement = get_object_or_404(Agreement, pk=request.POST.get("agreement") or None)
    try:
        services.candidate_cite(article=article, key=key, agreement=agreement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Added the passage to the citations of “{agreement}”.")
    return HttpResponseRedirect(_candidates_url(article))
