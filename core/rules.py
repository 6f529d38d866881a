"""The rule book: each rule of the dataset declared once, and applied from there at every door.

A rule that a single row can break is a constraint on its model (``Meta.constraints``): the
database refuses the row, and ``full_clean()`` reports it. ``FieldCheckConstraint`` is such a
constraint that also says which field its message is about, so that every door shows the
message next to that field (Django reports a plain constraint's message about the record as
a whole).

A rule about a record and its rows in another table (an agreement's parties, a fact's
citations) cannot be a constraint. It is one ``Rule`` here, declared in the app's
``rules.py``, with two ways of applying it that tests hold equal:

- ``row_check``: what is wrong with one record's rows as a service receives them (the
  services, the admin's inline formsets and the spreadsheets call it through
  ``rules_check``);
- ``set_check``: the same question asked of many records at once, as the fixture importer
  asks it (a QuerySet of the records that break the rule, or, for a rule that no SQL can
  say, a function over a batch of rows).

Every rule is registered in ``RULES`` by name: the rule × door test walks it, so a new rule
is refused at every door or the suite fails.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Value
from django.db.models.functions import Coalesce

RULES: dict[str, "Rule"] = {}


@dataclass(frozen=True)
class Rule:
    """A rule over a record's rows in another table, or over one record (``over``).

    ``row_check`` takes the rows (the services' inputs: ``PartyInput``, ``CitationInput``…)
    and returns the messages, one per fault, empty when the rule holds; each message
    contains ``message``. ``set_check`` takes a QuerySet of records and returns those that
    break the rule (or, where ``set_check_over`` says so, judges rows in bulk).
    ``constraint`` names the database constraint that enforces the rule once rows are
    written, when there is one: the importer reports its violations with this message.
    """

    name: str
    model: type[models.Model]
    field: str
    message: str
    row_check: Callable[[Sequence[Any]], list[str]]
    set_check: Callable[..., Any]
    constraint: str | None = None
    # "records": set_check takes a QuerySet of records and returns those breaking the rule;
    # "rows": it takes the rows' values, many at a time, and says of each what it finds.
    set_check_over: str = "records"
    # "rows": a rule over a record's rows in another table (the services' related rows);
    # "record": a rule over each record on its own, which a constraint enforces
    # (``constraint_rule``).
    over: str = "rows"


def constraint_message(model: type[models.Model], name: str) -> str:
    """The message of ``model``'s constraint ``name``: a rule that a constraint enforces
    once rows are written says what the constraint says."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(f"{model._meta.label} has no constraint {name!r}.")


def rule_declare(rule: Rule) -> Rule:
    if rule.name in RULES:
        raise ValueError(f"The rule {rule.name!r} is declared twice.")
    RULES[rule.name] = rule
    return rule


def named_once_rule(
    *,
    name: str,
    model: type[models.Model],
    field: str,
    relation: str,
    named: str,
    key: Callable[[Any], Any],
    constraint: str,
) -> Rule:
    """Declare the rule that a record's rows name a thing at most once: an actor among an
    agreement's parties, an author in an article's byline.

    ``field`` names the rows as the services take them ("parties"), ``relation`` as the
    model holds them ("parties", "authorships"), ``named`` the rows' foreign key to the
    thing ("actor", "author") and ``key`` what identifies it in a service's input. The
    child model's unique ``constraint`` enforces the rule once rows are written, and gives
    its message.
    """
    child = model._meta.get_field(relation).related_model
    message = constraint_message(child, constraint)

    def repeated(rows: Sequence[Any]) -> list[str]:
        keys = [key(row) for row in rows]
        return [message] if len(set(keys)) != len(keys) else []

    def records_naming_one_twice(records: models.QuerySet) -> models.QuerySet:
        return records.annotate(
            _rows=Count(relation), _named=Count(f"{relation}__{named}", distinct=True)
        ).filter(_rows__gt=F("_named"))

    return rule_declare(
        Rule(
            name=name,
            model=model,
            field=field,
            message=message,
            row_check=repeated,
            set_check=records_naming_one_twice,
            constraint=constraint,
        )
    )


def rules_for(model: type[models.Model], field_name: str) -> list[Rule]:
    """The rules about ``field_name`` of ``model``, in the order they were declared."""
    return [rule for rule in RULES.values() if rule.model is model and rule.field == field_name]


def rules_check(model: type[models.Model], field_name: str, rows: Sequence[Any]) -> None:
    """Apply every rule about ``field_name`` of ``model`` to ``rows``.

    Raises one ``ValidationError`` naming the field, with every fault found.
    """
    messages: list[str] = []
    for rule in rules_for(model, field_name):
        messages.extend(rule.row_check(rows))
    if messages:
        raise ValidationError({field_name: messages})


class FieldConstraint:
    """A constraint whose violation is reported on one field of the form or request.

    Declared like the constraint it is mixed into, with ``field`` added: the database
    enforces it, ``full_clean()`` reports ``violation_error_message`` under ``field`` (and
    skips it when that field has errors of its own, as Django skips a constraint whose
    fields are excluded).
    """

    def __init__(self, *args, field: str, **kwargs):
        self.field = field
        super().__init__(*args, **kwargs)

    def validate(self, model, instance, exclude=None, using=None) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            raise ValidationError({self.field: [error]}) from error

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, type(self)) and self.field == other.field and super().__eq__(other)
        )


class FieldCheckConstraint(FieldConstraint, models.CheckConstraint):
    """A check constraint reported on one field (see ``FieldConstraint``)."""


class FieldUniqueConstraint(FieldConstraint, models.UniqueConstraint):
    """A unique constraint reported on one field (see ``FieldConstraint``)."""


def condition_failing(records: models.QuerySet, condition: models.Q) -> models.QuerySet:
    """The records of ``records`` for which ``condition`` is false, as the database judges
    a check constraint (a condition that is unknown, NULL, holds)."""
    return records.annotate(
        _holds=Coalesce(ExpressionWrapper(condition, output_field=BooleanField()), Value(True))
    ).filter(_holds=False)


def constraint_rule(model: type[models.Model], name: str) -> Rule:
    """Declare the rule that ``model``'s field constraint ``name`` enforces on each record.

    Its row check asks the constraint of each record (``validate``, as ``full_clean``
    does); its set check is the constraint over many records at once, as the fixture
    importer asks it of the records it stages (``condition_failing``; for a unique
    constraint, the records sharing their values with another).
    """
    constraint = next(c for c in model._meta.constraints if c.name == name)
    if not isinstance(constraint, FieldConstraint):
        raise TypeError(f"{name} does not name the field it is about: make it a Field…Constraint.")
    message = str(constraint.violation_error_message)

    def broken_records(records: Sequence[models.Model]) -> list[str]:
        messages = []
        for record in records:
            try:
                constraint.validate(model, record, using=DEFAULT_DB_ALIAS)
            except ValidationError:
                messages.append(message)
        return messages

    def failing(records: models.QuerySet) -> models.QuerySet:
        if isinstance(constraint, models.UniqueConstraint):
            shared = (
                records.model._default_manager.filter(constraint.condition or models.Q())
                .values(*constraint.fields)
                .annotate(_count=Count("pk"))
                .filter(_count__gt=1)
            )
            same = models.Q()
            for values in shared:
                same |= models.Q(**values)
            return (
                records.filter(same & (constraint.condition or models.Q()))
                if shared
                else records.none()
            )
        return condition_failing(records, constraint.condition)

    return rule_declare(
        Rule(
            name=name,
            model=model,
            field=constraint.field,
            message=message,
            row_check=broken_records,
            set_check=failing,
            constraint=name,
            over="record",
        )
    )
