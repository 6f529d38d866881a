"""Every rule of the dataset, broken at every door: refused with the same message naming the
same field, and nothing written.

The rules are read from the rule book (``core.rules.RULES``) and from the models' check
constraints that name a field (``FieldCheckConstraint``); the doors a model has are read
from the admin site and the API router. A rule without a violating example here, or a door
that lets a violation through, fails. ``RULE_MATRIX_TABLE=path`` writes the rules × doors
table of the run to ``path``.
"""

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tablib
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import reverse

from actors.models import Actor, Agreement, Citation, TradeFigure
from articles.models import Article, Author, Authorship
from articles.services import author_create
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE
from bundles.importing import fixtures_import
from bundles.report import BundleInvalid
from caci.api import router
from caci.tests.helpers import form_data
from core.rules import RULES, FieldConstraint
from core.services import history_of, tracked_models
from core.tests.clients import VersionedAPIClient

pytestmark = pytest.mark.django_db

MISSING_QUOTE = "A passage the article never printed."
DOORS = (
    "admin add page",
    "admin change page",
    "API create",
    "API update (PUT)",
    "API partial update (PATCH)",
    "spreadsheet import",
    "fixture import",
    "seed",
)
# What a door calls a field, where it is not the field's own name.
FIELD_NAMES = {
    "authors": ("authors", "authorships"),
    "citations": ("citations", "citation_"),
    "signed_on": ("signed_on", "signed"),
    "signed_precision": ("signed_precision", "signed"),
    "published_on": ("published_on", "published"),
}
PARENT_FIELD = {
    "actors.agreementparty": "parties",
    "actors.citation": "citations",
    "articles.authorship": "authors",
}


@dataclass(frozen=True)
class Example:
    """A violation of one rule: ``changes`` to a valid record of ``model``; ``unsayable``
    names the doors whose format cannot express it at all, and why."""

    model: type
    changes: dict
    unsayable: dict = field(default_factory=dict)


def _fact_citations(quote):
    return {
        "quote_occurs_in_article": {"citations": [("article-1", MISSING_QUOTE)]},
        "passage_cited_once": {"citations": [("article-1", quote), ("article-1", quote)]},
        "cites_a_source": {"citations": []},
    }


DATE_WITH_PRECISION = (
    "writes a signing date with its precision (2025-04), so cannot give one alone"
)
EXAMPLES = {
    "agreement_party_actor_once": Example(
        Agreement, {"parties": [("mongolia", "signatory"), ("mongolia", "broker")]}
    ),
    "agreement_at_least_two_parties": Example(Agreement, {"parties": [("mongolia", "signatory")]}),
    **{
        f"agreement_{name}": Example(Agreement, changes)
        for name, changes in _fact_citations(AGREEMENT_QUOTE).items()
    },
    **{
        f"trade_figure_{name}": Example(TradeFigure, changes)
        for name, changes in _fact_citations(TRADE_QUOTE).items()
    },
    "article_author_once_in_byline": Example(Article, {"authors": ["author-1", "author-1"]}),
    "actor_country_has_iso_code": Example(Actor, {"iso_code": None}),
    "actor_iso_code_only_for_countries": Example(Actor, {"kind": "person"}),
    "actor_iso_code_two_upper_letters": Example(Actor, {"iso_code": "G1"}),
    "agreement_signed_date_has_precision": Example(
        Agreement,
        {"signed_on": "2025-04-01", "signed_precision": ""},
        unsayable={
            door: f"the {door.split(' ')[0]} {DATE_WITH_PRECISION}"
            for door in DOORS
            if door.startswith(("API", "spreadsheet", "admin"))
        },
    ),
    "agreement_signed_precision_has_date": Example(
        Agreement,
        {"signed_on": None, "signed_precision": "month"},
        unsayable={
            door: f"the {door.split(' ')[0]} {DATE_WITH_PRECISION}"
            for door in DOORS
            if door.startswith(("API", "spreadsheet", "admin"))
        },
    ),
    "actor_one_country_per_iso_code": Example(Actor, {"iso_code": "KZ"}),
    "agreement_signed_on_plausible": Example(
        Agreement, {"signed_on": "1800-04-01", "signed_precision": "month"}
    ),
    "article_published_on_plausible": Example(Article, {"published_on": "1899-12-31"}),
    "citation_supports_exactly_one_fact": Example(
        Citation,
        {"trade_figure": "the trade figure"},
        unsayable={
            "admin change page": "a citation's page shows its fact read-only: it is "
            "moved by citing the passage on another fact's page"
        },
    ),
    "citation_quote_not_empty": Example(Citation, {"quote": "   "}),
    "trade_figure_value_not_negative": Example(TradeFigure, {"value": "-1"}),
    "trade_figure_reporter_is_not_partner": Example(TradeFigure, {"partner": "mongolia"}),
    "trade_figure_year_plausible": Example(TradeFigure, {"year": 1800}),
    "trade_figure_currency_iso_4217": Example(TradeFigure, {"currency": "U$D"}),
    "authorship_position_from_1": Example(Authorship, {"position": 0}),
}


def field_constraints() -> dict[str, FieldConstraint]:
    return {
        constraint.name: constraint
        for model in tracked_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, FieldConstraint)
    }


def rule_book() -> dict[str, tuple[type, str, str]]:
    """Every rule: its model, the field it names, its message."""
    rules = {name: (rule.model, rule.field, rule.message) for name, rule in RULES.items()}
    for name, constraint in field_constraints().items():
        model = next(m for m in tracked_models() if constraint in m._meta.constraints)
        rules[name] = (model, constraint.field, str(constraint.violation_error_message))
    return rules


def api_base(model) -> str | None:
    for prefix, viewset, _ in router.registry:
        if viewset.queryset.model is model and getattr(viewset, "write_serializer_class", None):
            return f"/api/v1/{prefix}/"
    return None


def doors_of(model) -> list[str]:
    """The doors through which ``model``'s records are written."""
    doors = []
    model_admin = admin.site._registry.get(model)
    if model_admin is not None:
        doors += ["admin add page", "admin change page"]
    if api_base(model):
        doors += ["API create", "API update (PUT)", "API partial update (PATCH)"]
    if model_admin is not None and getattr(model_admin, "resource_classes", None):
        doors.append("spreadsheet import")
    return [*doors, "fixture import", "seed"]


# The valid records the examples change -----------------------------------------------------


def valid_record(model) -> dict:
    if model is Actor:
        return {"name": "Georgia", "slug": "georgia", "kind": "country", "iso_code": "GE"}
    if model is Agreement:
        return {
            "title": "Bilateral package",
            "kind": "package",
            "status": "signed",
            "signed_on": "2025-04-01",
            "signed_precision": "month",
            "parties": [("mongolia", "signatory"), ("uzbekistan", "signatory")],
            "citations": [("article-1", AGREEMENT_QUOTE)],
        }
    if model is TradeFigure:
        return {
            "reporter": "mongolia",
            "partner": "kazakhstan",
            "flow": "total",
            "value": "150000000",
            "currency": "USD",
            "year": 2024,
            "qualifier": "approximately",
            "citations": [("article-1", TRADE_QUOTE)],
        }
    if model is Article:
        return {
            "slug": "article-2",
            "title": "Article 2",
            "section": "analytical-articles",
            "lede": "A lede.",
            "body": "A body.",
            "authors": ["author-1"],
        }
    if model is Authorship:
        return {"article": "article-1", "author": "author-x", "position": 2}
    if model is Citation:
        # A passage of the article that the agreement does not cite yet.
        return {"article": "article-1", "agreement": "the agreement", "quote": "pivotal evolution"}
    raise AssertionError(f"No valid {model._meta.label} to change.")


@pytest.fixture
def world(article, agreement, trade_figure, mongolia, kazakhstan, uzbekistan):
    """The records the examples refer to, and the ones the update doors change."""
    author_create(name="Author X", slug="author-x")
    return {
        Actor: mongolia,
        Agreement: agreement,
        TradeFigure: trade_figure,
        Article: article,
        Authorship: article.authorships.get(),
        Citation: agreement.citations.get(),
    }


def _actor(slug):
    return Actor.objects.get(slug=slug)


def _article(slug):
    return Article.objects.get(slug=slug)


def _fact(name):
    """The world's only agreement or trade figure, as the examples name it."""
    return {"agreement": Agreement, "trade_figure": TradeFigure}[name].objects.get().pk


# Doors -----------------------------------------------------------------------------------


def _admin_values(model, record: dict) -> dict:
    values = {}
    for name, value in record.items():
        if name in {"parties", "citations", "authors"}:
            continue
        if name in {"reporter", "partner"}:
            value = _actor(value).pk
        elif name == "article":
            value = _article(value).pk
        elif name == "author":
            value = Author.objects.get(slug=value).pk
        elif name in {"agreement", "trade_figure"}:
            value = _fact(name)
        elif name == "signed_on":
            name, value = "signed", (value or "")[:7]
        elif name == "signed_precision":
            continue  # Said by the partial date itself.
        values[name] = "" if value is None else value
    return values


def _admin_rows(model, record: dict) -> dict[str, list[dict]]:
    rows = {}
    if "parties" in record:
        rows["parties"] = [{"actor": _actor(a).pk, "role": r} for a, r in record["parties"]]
    if "citations" in record:
        rows["citations"] = [
            {"article": _article(a).pk, "quote": q} for a, q in record["citations"]
        ]
    if "authors" in record:
        rows["authorships"] = [
            {"author": Author.objects.get(slug=slug).pk, "position": position}
            for position, slug in enumerate(record["authors"], start=1)
        ]
    return rows


def _with_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    """The posted inline ``prefix`` holding exactly ``rows``: the rows it showed are marked
    for deletion, the new ones follow."""
    shown = int(data[f"{prefix}-INITIAL_FORMS"])
    data = {
        k: v
        for k, v in data.items()
        if not k.startswith(f"{prefix}-") or "FORMS" in k or int(k.split("-")[1]) < shown
    }
    for index in range(shown):
        data[f"{prefix}-{index}-DELETE"] = "on"
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{shown + offset}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(shown + len(rows))
    return data


def _admin_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, f"the admin saved it ({response.status_code})"
    form = response.context["adminform"].form
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        errors.setdefault(formset.prefix, []).extend(formset.non_form_errors())
        for inline_form in formset.forms:
            for name, messages in inline_form.errors.items():
                errors.setdefault(f"{formset.prefix}-{name}", []).extend(messages)
    return errors


def _admin_post(client, model, url, record):
    page = client.get(url)
    data = form_data(page, **_admin_values(model, record))
    for prefix, rows in _admin_rows(model, record).items():
        data = _with_rows(data, prefix, rows)
    return _admin_errors(client.post(url, data))


def admin_add(client, model, world, example):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    return _admin_post(client, model, url, {**valid_record(model), **example.changes})


def admin_change(client, model, world, example):
    target = world[model]
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[target.pk]
    )
    return _admin_post(client, model, url, example.changes)


def _api_payload(model, record: dict) -> dict:
    payload = {}
    for name, value in record.items():
        if name == "parties":
            payload[name] = [{"actor": actor, "role": role} for actor, role in value]
        elif name == "citations":
            payload[name] = [{"article": a, "quote": q} for a, q in value]
        elif name == "signed_on":
            payload["signed"] = value and value[:7]
        elif name == "signed_precision":
            continue  # Said by the partial date itself.
        elif name == "published_on":
            payload["published"] = value
        else:
            payload[name] = value
    return payload


def _api_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 400, f"the API answered {response.status_code}"

    def flat(value):
        if isinstance(value, dict):
            return [m for item in value.values() for m in flat(item)]
        if isinstance(value, list):
            return [m for item in value for m in flat(item)]
        return [str(value)]

    return {name: flat(value) for name, value in response.json()["errors"].items()}


def _api_detail(model, world):
    target = world[model]
    return f"{api_base(model)}{getattr(target, 'slug', target.pk)}/"


def _full_record_of(model, world) -> dict:
    record = valid_record(model)
    if model is Actor:
        record.update(name="Mongolia", slug="mongolia", iso_code="MN")
    if model is Article:
        record.update(slug="article-1", title="Article 1")
    return record


def api_create(client, model, world, example):
    payload = _api_payload(model, {**valid_record(model), **example.changes})
    return _api_errors(client.post(api_base(model), payload, format="json"))


def api_put(client, model, world, example):
    payload = _api_payload(model, {**_full_record_of(model, world), **example.changes})
    return _api_errors(client.put(_api_detail(model, world), payload, format="json"))


def api_patch(client, model, world, example):
    payload = _api_payload(model, example.changes)
    return _api_errors(client.patch(_api_detail(model, world), payload, format="json"))


def _sheet_row(model, record: dict) -> dict:
    row = {}
    for name, value in record.items():
        if name == "parties":
            row[name] = "; ".join(f"{actor}:{role}" for actor, role in value)
        elif name == "citations":
            for number in (1, 2, 3):
                article, quote = value[number - 1] if number <= len(value) else ("", "")
                row[f"citation_{number}_article"] = article
                row[f"citation_{number}_quote"] = quote
        elif name == "signed_on":
            row["signed"] = (value or "")[:7]
        elif name == "signed_precision":
            continue  # Said by the partial date itself.
        else:
            row[name] = "" if value is None else value
    if model is not Actor:
        row["id"] = ""
    return row


def spreadsheet(client, model, world, example):
    row = _sheet_row(model, {**valid_record(model), **example.changes})
    dataset = tablib.Dataset(headers=list(row))
    dataset.append(list(row.values()))
    resource = admin.site._registry[model].resource_classes[0]()
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, file_name="x.csv")
    assert not result.has_errors(), result.row_errors()
    assert result.has_validation_errors(), "the spreadsheet import wrote the row"
    return {
        name: [str(m) for m in messages]
        for name, messages in result.invalid_rows[0].error_dict.items()
    }


def _bundle(model, record: dict) -> list[dict]:
    label = model._meta.label_lower
    fields = {}
    for name, value in record.items():
        if name in {"parties", "citations", "authors"}:
            continue
        if name in {"reporter", "partner", "article", "author"}:
            value = [value]
        fields[name] = value
    if model is Citation:
        for name in ("agreement", "trade_figure"):
            if fields.get(name):
                fields[name] = str(_fact(name))
        return [{"model": label, "pk": str(uuid.uuid4()), "fields": fields}]
    if model in {Agreement, TradeFigure}:
        pk = str(uuid.uuid4())
        fact = "agreement" if model is Agreement else "trade_figure"
        records = [{"model": label, "pk": pk, "fields": fields}]
        for actor, role in record.get("parties", ()):
            records.append(
                {
                    "model": "actors.agreementparty",
                    "fields": {"agreement": pk, "actor": [actor], "role": role},
                }
            )
        for article, quote in record["citations"]:
            records.append(
                {
                    "model": "actors.citation",
                    "pk": str(uuid.uuid4()),
                    "fields": {"article": [article], fact: pk, "quote": quote},
                }
            )
        return records
    records = [{"model": label, "fields": fields}]
    for position, author in enumerate(record.get("authors", ()), start=1):
        records.append(
            {
                "model": "articles.authorship",
                "fields": {"article": [record["slug"]], "author": [author], "position": position},
            }
        )
    return records


def _import_errors(model, errors) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        parent = None if error.model == model._meta.label_lower else PARENT_FIELD.get(error.model)
        for name in error.field.split(", "):
            key = f"{parent}-{name}" if parent else name
            found.setdefault(key, []).append(error.message)
    return found


def fixture_import(client, model, world, example, tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_bundle(model, {**valid_record(model), **example.changes})))
    with pytest.raises(BundleInvalid) as invalid:
        fixtures_import(paths=[str(path)])
    return _import_errors(model, invalid.value.report.errors)


def seed(client, model, world, example, tmp_path, capsys):
    directory = tmp_path / "fixtures"
    directory.mkdir()
    (directory / "01-bundle.json").write_text(
        json.dumps(_bundle(model, {**valid_record(model), **example.changes}))
    )
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("seed", directory=directory)
    lines = capsys.readouterr().err.splitlines()
    found: dict[str, list[str]] = {}
    for line in lines:
        labels = {**PARENT_FIELD, model._meta.label_lower: None}
        for label, parent in labels.items():
            if f" {label} " not in line:
                continue
            head, _, message = line.partition(": ")
            for name in head.rsplit(" ", 1)[-1].split(","):
                key = f"{parent}-{name}" if parent else name
                found.setdefault(key, []).append(message)
            break
    return found


DOOR_CALLS = {
    "admin add page": admin_add,
    "admin change page": admin_change,
    "API create": api_create,
    "API update (PUT)": api_put,
    "API partial update (PATCH)": api_patch,
    "spreadsheet import": spreadsheet,
    "fixture import": fixture_import,
    "seed": seed,
}


# The matrix -----------------------------------------------------------------------------


def dataset_state() -> dict:
    """Every curated row and every history row: what "nothing was written" compares."""
    return {
        model._meta.label: (
            sorted(
                (str(pk), str(at))
                for pk, at in model._default_manager.values_list("pk", "updated_at")
            ),
            history_of(model).count(),
        )
        for model in tracked_models()
        if hasattr(model, "updated_at")
    }


def names_field(key: str, field_name: str) -> bool:
    head = key.split("-")[0].split(".")[0]
    return any(
        head == name or (name.endswith("_") and head.startswith(name))
        for name in FIELD_NAMES.get(field_name, (field_name,))
    )


MATRIX: dict[str, dict[str, str]] = {}


def test_every_rule_has_a_violating_example():
    missing = sorted(set(rule_book()) - set(EXAMPLES))
    assert not missing, f"Rules without a violating example in this test: {missing}"
    stale = sorted(set(EXAMPLES) - set(rule_book()))
    assert not stale, f"Examples of rules that no longer exist: {stale}"


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("rule_name", sorted(rule_book()))
def test_a_violation_is_refused_at_every_door_with_the_same_message(
    rule_name, door, world, editor, tmp_path, capsys
):
    model, field_name, message = rule_book()[rule_name]
    example = EXAMPLES.get(rule_name)
    assert example is not None, f"{rule_name} has no violating example"
    assert example.model is model
    if door not in doors_of(model):
        MATRIX.setdefault(rule_name, {})[door] = "no such door"
        pytest.skip(f"{model._meta.verbose_name_plural} have no {door}")
    if door in example.unsayable:
        MATRIX.setdefault(rule_name, {})[door] = "cannot be said"
        pytest.skip(example.unsayable[door])
    if door.startswith("API"):
        client = VersionedAPIClient()
        client.force_authenticate(editor)
    else:
        from django.test import Client

        client = Client()
        client.force_login(editor)
    before = dataset_state()

    call = DOOR_CALLS[door]
    arguments = {"tmp_path": tmp_path} if door in {"fixture import", "seed"} else {}
    if door == "seed":
        arguments["capsys"] = capsys
    errors = call(client, model, world, example, **arguments)

    named = {key: texts for key, texts in errors.items() if names_field(key, field_name)}
    said = [text for texts in named.values() for text in texts if message in str(text)]
    assert said, f"{door} did not say {message!r} on {field_name}: {errors}"
    assert dataset_state() == before, f"{door} wrote something"
    MATRIX.setdefault(rule_name, {})[door] = "refused"


@pytest.fixture(scope="module", autouse=True)
def _matrix_table():
    yield
    target = os.environ.get("RULE_MATRIX_TABLE")
    if not target or not MATRIX:
        return
    lines = [
        "| rule | " + " | ".join(DOORS) + " |",
        "|---|" + "---|" * len(DOORS),
    ]
    for rule_name in sorted(MATRIX):
        cells = [MATRIX[rule_name].get(door, "?") for door in DOORS]
        lines.append(f"| {rule_name} | " + " | ".join(cells) + " |")
    Path(target).write_text("\n".join(lines) + "\n")
