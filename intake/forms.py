"""The editor's forms: a page to paste, and a candidate's values to check before saving."""

from django import forms
from django.core.exceptions import ValidationError

from actors.models import (
    Actor,
    AgreementKind,
    AgreementStatus,
    Qualifier,
    TradeFlow,
    format_partial_date,
    parse_partial_date,
)
from intake.candidates import Candidate

QUOTE_HELP = "The passage, verbatim, that states the fact: it must occur in the article."


class PasteForm(forms.Form):
    text = forms.CharField(
        label="The article as the Analyst publishes it",
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100, "autofocus": True}),
        strip=False,
        help_text="Byline, title, date line, lede, body and bio, as copied from the page. "
        "Nothing is saved before you confirm.",
    )


def _actors():
    return Actor.objects.order_by("name")


class TradeFigureForm(forms.Form):
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=QUOTE_HELP)
    reporter = forms.ModelChoiceField(queryset=_actors(), to_field_name="slug")
    partner = forms.ModelChoiceField(queryset=_actors(), to_field_name="slug")
    flow = forms.ChoiceField(choices=TradeFlow.choices)
    value = forms.DecimalField(max_digits=20, decimal_places=2, min_value=0)
    currency = forms.CharField(max_length=3, initial="USD")
    year = forms.IntegerField(required=False)
    qualifier = forms.ChoiceField(choices=Qualifier.choices)
    commodity = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_from(cls, candidate: Candidate) -> dict:
        values = candidate.values
        return {
            "quote": candidate.quote,
            **{
                name: values.get(name)
                for name in ("reporter", "partner", "flow", "value", "currency", "year")
            },
            "qualifier": values.get("qualifier"),
            "commodity": values.get("commodity", ""),
            "note": values.get("note", ""),
        }


class AgreementForm(forms.Form):
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=QUOTE_HELP)
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=AgreementKind.choices)
    status = forms.ChoiceField(choices=AgreementStatus.choices)
    signed = forms.CharField(
        required=False,
        label="Signed",
        help_text="2025-04-17 (a day), 2025-04 (a month), 2025 (a year), or empty.",
    )
    parties = forms.ModelMultipleChoiceField(
        queryset=_actors(), to_field_name="slug", help_text="At least two."
    )
    instrument_count = forms.IntegerField(required=False, min_value=1)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_signed(self):
        try:
            return parse_partial_date(self.cleaned_data["signed"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error

    @classmethod
    def initial_from(cls, candidate: Candidate) -> dict:
        values = candidate.values
        return {
            "quote": candidate.quote,
            "title": values["title"],
            "kind": values["kind"],
            "status": values["status"],
            "signed": format_partial_date(values["signed_on"], values["signed_precision"]) or "",
            "parties": values["parties"],
            "instrument_count": values["instrument_count"],
        }
