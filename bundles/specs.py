"""What a bundle may hold: the importable models, their natural keys, and their columns.

A bundle is Django's own fixture format (``dumpdata --natural-foreign --natural-primary``):
slug-keyed records and child records carry no ``pk`` and point at others by natural key
(``"article": ["some-slug"]``); agreements, trade figures and citations carry their UUID as
``pk`` and are pointed at by it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.db import models
from django.db.models.fields import AutoFieldMixin

from core.editorial import ReviewedModel
from core.history import aggregate_links

# Columns a bundle may carry but that the importer does not take from it: the database keeps
# its own clock (created_at, updated_at), the importer computes import_digest and
# import_fingerprint, and only an editor of this database or the import run itself can vouch
# for a record (verified_by, verified_at, verified_via: the importer names its run as the
# verification of the published records it writes).
NOT_IMPORTED = frozenset(
    {
        "created_at",
        "updated_at",
        "import_digest",
        "import_fingerprint",
        "verified_by",
        "verified_at",
        "verified_via",
    }
)


@dataclass(frozen=True)
class Reference:
    """A foreign key as a bundle writes it."""

    name: str  # the model field, e.g. "reporter"
    column: str  # its column, e.g. "reporter_id"
    target: str  # the label of the model it points at
    by_slug: bool  # True: a natural key ["slug"]; False: the target's UUID
    null: bool

    @property
    def key_column(self) -> str:
        """Staging column holding the natural key until it is resolved to an id."""
        return f"{self.name}__key"


@dataclass(frozen=True)
class ModelSpec:
    """How one model's records are read, matched and written.

    The importer's steps are the same for every model; what is particular to one model is
    declared here, as attributes and hooks that a model's own spec (a small subclass, see
    below) sets or overrides.
    """

    label: str
    key: tuple[str, ...]
    # References whose target's set of these records the bundle states in full: a parent in
    # the bundle loses the children the bundle no longer lists.
    parents: tuple[str, ...] = ()
    ordering: str = ""  # staging order for inserts (keeps indexes warm); SQL over staging
    # A column that numbers a parent's children (an authorship's position), unique per
    # parent: the rows an import rewrites are first moved out of its way, so that two
    # children swapping numbers never meet the unique constraint.
    renumbered: str = ""
    # The reference whose target's text holds the record's quote (a citation's article):
    # each quote is found in that text and its offsets stored, and a record known
    # unchanged is known only while that text has not changed since the record was written.
    quoted_in: str = ""

    def record_finisher(self) -> Callable[[dict, list], None] | None:
        """What completes a record's cleaned values as the model's ``clean()`` would (its
        computed columns): a function of (values, problems) called on every record whose
        fields passed, or None."""
        return None

    def reference(self, name: str) -> Reference:
        return next(ref for ref in self.references if ref.name == name)

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def staging_table(self) -> str:
        return f"caci_stg_{self.model._meta.model_name}"

    @property
    def known_table(self) -> str:
        """The records known unchanged, as read: their place and key."""
        return f"{self.staging_table}_known"

    @property
    def unedited_table(self) -> str:
        """The rows whose fingerprint may mark a bundle record as unchanged."""
        return f"{self.staging_table}_unedited"

    @property
    def touched_table(self) -> str:
        """The records of this model whose parts the import changed (an agreement whose
        party it replaced): each is then changed too, once."""
        return f"{self.staging_table}_touched"

    @cached_property
    def aggregates(self) -> tuple[Reference, ...]:
        """The references to the records this record is a part of (``core.history``'s
        aggregates: a party's agreement): a change of it is a change of them."""
        links = {foreign_key.name for _, foreign_key in aggregate_links(self.model)}
        return tuple(ref for ref in self.references if ref.name in links)

    @cached_property
    def reviewed(self) -> bool:
        """Whether records are reviewed and published (a published one names who or what
        verified it: the importer names its run)."""
        return issubclass(self.model, ReviewedModel)

    @cached_property
    def has_auto_pk(self) -> bool:
        return isinstance(self.model._meta.pk, AutoFieldMixin)

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        found = []
        for f in self.model._meta.concrete_fields:
            if not f.is_relation or f.name in NOT_IMPORTED:
                continue
            target = f.related_model
            found.append(
                Reference(
                    name=f.name,
                    column=f.column,
                    target=target._meta.label_lower,
                    by_slug=isinstance(target._meta.pk, AutoFieldMixin),
                    null=f.null,
                )
            )
        return tuple(found)

    @cached_property
    def value_fields(self) -> tuple[models.Field, ...]:
        """Plain (non-relation) fields the bundle gives, in model order."""
        return tuple(
            f
            for f in self.model._meta.concrete_fields
            if not f.is_relation
            and f.name not in NOT_IMPORTED
            and not (f.primary_key and self.has_auto_pk)
            and (f.editable or f.primary_key)
        )

    @cached_property
    def computed_fields(self) -> tuple[models.Field, ...]:
        """Columns derived from the others (date bounds, quote offsets): never read."""
        return tuple(
            f
            for f in self.model._meta.concrete_fields
            if not f.editable and not f.primary_key and f.name not in NOT_IMPORTED
        )

    @cached_property
    def data_columns(self) -> tuple[str, ...]:
        """Every column that is the record's data, in model order: what the digest covers."""
        skip = {f.column for f in self.model._meta.concrete_fields if f.name in NOT_IMPORTED}
        return tuple(
            f.column
            for f in self.model._meta.concrete_fields
            if f.column not in skip and not (f.primary_key and self.has_auto_pk)
        )

    @cached_property
    def key_columns(self) -> tuple[str, ...]:
        """The natural key as database columns (references resolved to ids)."""
        fields = {f.name: f for f in self.model._meta.concrete_fields}
        return tuple(fields[name].column for name in self.key)

    @cached_property
    def m2m_names(self) -> dict[str, str]:
        return {
            f.name: f.remote_field.through._meta.label_lower for f in self.model._meta.many_to_many
        }

    @cached_property
    def known_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.model._meta.concrete_fields)


@dataclass(frozen=True)
class AuthorshipSpec(ModelSpec):
    """An article's byline: its authors in order."""

    label: str = "articles.authorship"
    key: tuple[str, ...] = ("article", "author")
    parents: tuple[str, ...] = ("article",)
    ordering: str = "article_id, position"
    renumbered: str = "position"


@dataclass(frozen=True)
class AgreementSpec(ModelSpec):
    """An agreement, whose signing date is stored as the bounds of its period."""

    label: str = "actors.agreement"
    key: tuple[str, ...] = ("id",)
    ordering: str = "id"

    def record_finisher(self) -> Callable[[dict, list], None]:
        """The signing date as ``Agreement.clean`` stores it: the period's first and last
        day."""
        proto = self.model()

        def finish(values: dict, problems: list) -> None:
            proto.signed_on = values["signed_on"]
            proto.signed_precision = values["signed_precision"]
            values["signed_on_latest"] = None
            if proto.signed_on and proto.signed_precision:
                proto.fill_signed_bounds()
                values["signed_on"] = proto.signed_on
                values["signed_on_latest"] = proto.signed_on_latest

        return finish


@dataclass(frozen=True)
class CitationSpec(ModelSpec):
    """A fact's citation: an article and the verbatim passage in it."""

    label: str = "actors.citation"
    key: tuple[str, ...] = ("id",)
    parents: tuple[str, ...] = ("agreement", "trade_figure")
    ordering: str = "id"
    quoted_in: str = "article"


SPECS: tuple[ModelSpec, ...] = (
    ModelSpec("articles.author", key=("slug",), ordering="slug"),
    ModelSpec("articles.article", key=("slug",), ordering="slug"),
    AuthorshipSpec(),
    ModelSpec("actors.actor", key=("slug",), ordering="slug"),
    ModelSpec("actors.actoralias", key=("actor", "name"), parents=("actor",), ordering="actor_id"),
    ModelSpec(
        "actors.actoridentifier", key=("scheme", "value"), parents=("actor",), ordering="actor_id"
    ),
    # The mentions are the actor's many-to-many field (Actor.articles): the actor owns them.
    ModelSpec("actors.mention", key=("article", "actor"), parents=("actor",), ordering="actor_id"),
    AgreementSpec(),
    ModelSpec(
        "actors.agreementparty",
        key=("agreement", "actor"),
        parents=("agreement",),
        ordering="agreement_id",
    ),
    ModelSpec("actors.tradefigure", key=("id",), ordering="id"),
    CitationSpec(),
)
SPECS_BY_LABEL = {spec.label: spec for spec in SPECS}
# The models whose records have parts (core.history's aggregates), by label.
AGGREGATES = frozenset(ref.target for spec in SPECS for ref in spec.aggregates)
