"""The filters of the explorer's lists: plain GET forms, each parameter also a link.

A value the form cannot read (an unknown actor, a section that does not exist) is an
error shown above the list, with a 400: never a silently unfiltered list.
"""

from django import forms

from actors.models import (
    Actor,
    ActorKind,
    AgreementKind,
    AgreementStatus,
    Qualifier,
    TradeFlow,
)
from articles.models import PLAUSIBLE_YEARS, Author, Section


def _any(choices) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class ActorSlugField(forms.CharField):
    """An actor by its slug (as the explorer's own links give it)."""

    def clean(self, value):
        slug = super().clean(value)
        if not slug:
            return None
        try:
            return Actor.objects.get(slug=slug)
        except Actor.DoesNotExist:
            raise forms.ValidationError(f"No actor has the slug “{slug}”.") from None


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False, min_value=PLAUSIBLE_YEARS[0], max_value=PLAUSIBLE_YEARS[1], **kwargs
        )


class ListForm(forms.Form):
    """A list's filters. ``api_params`` gives the same filters as the API list takes."""

    # Form field → API parameter, for the fields whose value passes as it is.
    api_names: dict[str, str] = {}

    def api_params(self) -> dict[str, str]:
        params = {}
        for name, api_name in self.api_names.items():
            value = self.cleaned_data.get(name)
            if value:
                params[api_name] = value.slug if hasattr(value, "slug") else str(value)
        return params


class ArticleListForm(ListForm):
    q = forms.CharField(required=False, max_length=200, label="Words in the text")
    section = forms.ChoiceField(required=False, choices=_any(Section.choices))
    author = forms.SlugField(required=False, label="Author (slug)")
    actor = ActorSlugField(required=False, label="Mentions actor (slug)")
    year = YearField(label="Year published")

    api_names = {"q": "search", "section": "section", "author": "author", "actor": "mentions"}

    def clean_author(self):
        slug = self.cleaned_data["author"]
        if not slug:
            return None
        try:
            return Author.objects.get(slug=slug)
        except Author.DoesNotExist:
            raise forms.ValidationError(f"No author has the slug “{slug}”.") from None

    def api_params(self) -> dict[str, str]:
        params = super().api_params()
        if year := self.cleaned_data.get("year"):
            params |= {"published_after": f"{year}-01-01", "published_before": f"{year}-12-31"}
        return params


class ActorListForm(ListForm):
    q = forms.CharField(required=False, max_length=200, label="Name, alias or ISO code")
    kind = forms.ChoiceField(required=False, choices=_any(ActorKind.choices))

    api_names = {"q": "q", "kind": "kind"}


class AgreementListForm(ListForm):
    party = ActorSlugField(required=False, label="Party (actor slug)")
    kind = forms.ChoiceField(required=False, choices=_any(AgreementKind.choices))
    status = forms.ChoiceField(required=False, choices=_any(AgreementStatus.choices))
    year = YearField(label="Year signed")

    api_names = {"party": "party", "kind": "kind", "status": "status"}

    def api_params(self) -> dict[str, str]:
        params = super().api_params()
        if year := self.cleaned_data.get("year"):
            params |= {"signed_after": f"{year}-01-01", "signed_before": f"{year}-12-31"}
        return params


class TradeFigureListForm(ListForm):
    actor = ActorSlugField(required=False, label="Actor on either side (slug)")
    flow = forms.ChoiceField(required=False, choices=_any(TradeFlow.choices))
    qualifier = forms.ChoiceField(required=False, choices=_any(Qualifier.choices))
    year = YearField(label="Year")

    api_names = {"actor": "actor", "flow": "flow", "qualifier": "qualifier", "year": "year"}
