"""The checks over a model's staged records: duplicate keys, references, quotes,
constraints, unique values, and the rules over the whole dataset.

Each check is set-based SQL over the staging tables: it marks the rows that fail invalid
(``invalidate``) and reports each one, located in its file, through ``rows_error``.
"""

import itertools
import uuid

from django.db import connection
from django.db.models import CheckConstraint, F, UniqueConstraint
from django.db.models.expressions import RawSQL

from bundles.dialect import QUOTE_BATCH, _q, key_match
from bundles.specs import NOT_IMPORTED, SPECS_BY_LABEL, ModelSpec
from core.rules import RULES, FieldConstraint, condition_failing


class Checks:
    """The checking step of an import (see ``importing``): it uses the import's ``dialect``,
    ``overwrite``, ``rows_error`` and ``long_texts``."""

    def invalidate(
        self, cursor, spec: ModelSpec, where: str, params=(), extra: str = "", join: str = ""
    ) -> list:
        """Mark the staged rows matching ``where`` invalid; return (file, index, key, extra…).

        ``join`` is a FROM item (a derived table) that ``where`` may join with.
        """
        stg = _q(spec.staging_table)
        returning = f"{stg}._part, {stg}._idx, {stg}._key" + (f", {extra}" if extra else "")
        source = f" FROM {join}" if join else ""
        cursor.execute(
            f"UPDATE {stg} SET _valid = FALSE, _action = NULL{source} WHERE {where} "
            f"RETURNING {returning}",
            params,
        )
        return sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))

    def check_duplicates(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        rows = self.invalidate(
            cursor,
            spec,
            f"d._key = {stg}._key",
            join=f"(SELECT _key FROM {stg} GROUP BY _key HAVING count(*) > 1) d",
        )
        # A natural key that a rule makes unique (an actor once among an agreement's
        # parties) is reported in the rule's words.
        rule_messages = [
            _own_message(constraint)
            for constraint in spec.model._meta.constraints
            if isinstance(constraint, UniqueConstraint)
            and set(constraint.fields) == set(spec.key)
            and _own_message(constraint)
        ]
        self.rows_error(
            spec,
            rows,
            ", ".join(spec.key),
            rule_messages[0]
            if rule_messages
            else "Duplicate natural key: another record of this bundle has the same one.",
        )

    def resolve_references(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        for ref in spec.references:
            target = SPECS_BY_LABEL[ref.target]
            table, target_stg = _q(target.table), _q(target.staging_table)
            col = _q(ref.column)
            if ref.by_slug:
                key = _q(ref.key_column)
                cursor.execute(
                    f"UPDATE {stg} SET {col} = t.id FROM {table} t WHERE t.slug = {stg}.{key}"
                )
                missing = f"{key} IS NOT NULL AND {col} IS NULL"  # known rows: no key
                in_bundle = f"EXISTS (SELECT 1 FROM {target_stg} p WHERE p._key = {stg}.{key})"
                shown = key
            else:
                missing = (
                    f"NOT {stg}._known AND {col} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {table} t WHERE t.id = {stg}.{col})"
                )
                in_bundle = f"EXISTS (SELECT 1 FROM {target_stg} p WHERE p.id = {stg}.{col})"
                shown = col
            rows = self.invalidate(cursor, spec, missing, extra=f"{shown}, {in_bundle}")

            def message(value, found, ref=ref):
                if found:  # that record's own errors are reported: not twice
                    return None
                shown = f'["{value}"]' if ref.by_slug else str(uuid.UUID(str(value)))
                return (
                    f"Refers to {ref.target} {shown}, which is neither in this bundle "
                    "nor in the database."
                )

            self.rows_error(spec, rows, ref.name, message)

    def locate_quotes(self, cursor, spec: ModelSpec) -> None:
        """Find each citation's quote in its article's text: offsets, or an error.

        The rule book's quote rule, in its set-based form: the quotes streamed in article
        order, each article's text read and collapsed once for all of them.
        """
        quote_rule = next(rule for rule in RULES.values() if rule.set_check_over == "rows")
        stg = _q(spec.staging_table)
        cursor.execute("DROP TABLE IF EXISTS caci_stg_offsets")
        cursor.execute(
            f"CREATE TEMPORARY TABLE caci_stg_offsets (_n {self.dialect.row_id_type()}, "
            "char_start integer, char_end integer)"
        )
        self.unknow_quotes_of_changed_articles(cursor, spec)
        columns = ["_n", "char_start", "char_end"]
        bad: list[tuple] = []
        rows, looked_up = itertools.tee(
            itertools.chain.from_iterable(
                self.dialect.stream(
                    f"SELECT _n, _part, _idx, _key, article_id, quote FROM {stg} "
                    "WHERE article_id IS NOT NULL AND NOT _known ORDER BY article_id"
                )
            )
        )
        spans = quote_rule.set_check((row[4], row[5]) for row in looked_up)
        found = []
        for (n, file_no, index, key, _, quote), span in zip(rows, spans, strict=True):
            if span is None and quote.split():
                bad.append((n, file_no, index, key))
            elif span is None:
                continue  # An empty quote: the constraint citation_quote_not_empty says so.
            else:
                found.append((n, *span))
            if len(found) >= QUOTE_BATCH:
                self.dialect.load(cursor, "caci_stg_offsets", columns, found)
                found = []
        self.dialect.load(cursor, "caci_stg_offsets", columns, found)
        cursor.execute(
            f"UPDATE {stg} SET char_start = o.char_start, char_end = o.char_end "
            f"FROM caci_stg_offsets o WHERE o._n = {stg}._n"
        )
        for start in range(0, len(bad), 1000):
            chunk = bad[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {stg} SET _valid = FALSE, _action = NULL WHERE _n IN ({marks})",
                [row[0] for row in chunk],
            )
        self.rows_error(spec, [row[1:] for row in bad], "quote", quote_rule.message)

    def unknow_quotes_of_changed_articles(self, cursor, spec: ModelSpec) -> None:
        """Citations known unchanged whose article this import rewrites: their quotes are
        looked for again in the new text, like any other, and their offsets follow."""
        stg = _q(spec.staging_table)
        articles = _q(SPECS_BY_LABEL["articles.article"].staging_table)
        changing = "'updated', 'conflict'" if self.overwrite else "'updated'"
        restored = "".join(f", {_q(c)} = t.{_q(c)}" for c in self.long_texts(spec))
        cursor.execute(
            f"UPDATE {stg} SET _known = FALSE, _action = 'created'{restored} "
            f"FROM {_q(spec.table)} t WHERE {stg}._known AND t.id = {stg}.id "
            f"AND {stg}.article_id IN (SELECT id FROM {articles} WHERE _action IN ({changing}))"
        )

    def check_constraints(self, cursor, spec: ModelSpec) -> None:
        """The model's check constraints over the staged rows, as the database would judge
        them (a condition that is unknown, NULL, passes).

        Each condition is compiled by the ORM, as ``full_clean`` compiles it, in a query on
        the model's table; the query runs with that table's name bound to the staged rows
        (a common table expression of the same name hides the table from it).
        """
        model = spec.model
        table, stg = _q(spec.table), _q(spec.staging_table)
        for constraint in model._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            if _condition_fields(constraint.condition) & NOT_IMPORTED:
                # Over columns the importer writes itself (a published record's
                # verification): the database checks them as they are written.
                continue
            failing = (
                condition_failing(model._base_manager.all(), constraint.condition)
                .annotate(_row=RawSQL("_n", ()))
                .order_by()
                .values("_row")
            )
            sql, params = failing.query.sql_with_params()
            rows = self.invalidate(
                cursor,
                spec,
                f"{stg}._n IN (WITH {table} AS (SELECT * FROM {stg} WHERE NOT _known) {sql})",
                params,
            )
            if isinstance(constraint, FieldConstraint):
                fields = constraint.field
            else:
                fields = ", ".join(sorted(_condition_fields(constraint.condition)))
            self.rows_error(spec, rows, fields, constraint.get_violation_error_message())

    def unique_sets(
        self, spec: ModelSpec
    ) -> list[tuple[tuple[str, ...], str | None, str, str | None]]:
        """(columns, condition SQL, field names, the rule's own message or None) of each
        uniqueness rule but the natural key."""
        model = spec.model
        editor = connection.schema_editor()
        fields = {f.name: f for f in model._meta.concrete_fields}
        found = []
        for f in model._meta.concrete_fields:
            if f.unique and not f.primary_key and (f.name,) != spec.key:
                found.append(((f.column,), None, f.name, None))
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            if set(constraint.fields) == set(spec.key) and constraint.condition is None:
                continue
            condition = (
                constraint._get_condition_sql(model, editor) if constraint.condition else None
            )
            columns = tuple(fields[name].column for name in constraint.fields)
            found.append(
                (columns, condition, ", ".join(constraint.fields), _own_message(constraint))
            )
        return found

    def check_unique_in_bundle(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        for columns, condition, names, message in self.unique_sets(spec):
            cols = ", ".join(_q(c) for c in columns)
            present = " AND ".join(f"{_q(c)} IS NOT NULL" for c in columns)
            cond = f" AND ({condition})" if condition else ""
            same = " AND ".join(f"d.{_q(c)} = {stg}.{_q(c)}" for c in columns)
            rows = self.invalidate(
                cursor,
                spec,
                same,
                # Rows already found invalid (a duplicate key, say) are not named again.
                join=f"(SELECT {cols} FROM {stg} WHERE _valid AND {present}{cond} "
                f"GROUP BY {cols} HAVING count(*) > 1) d",
            )
            self.rows_error(
                spec,
                rows,
                names,
                message or f"Another record of this bundle has the same {names}.",
            )

    def check_unique_in_database(self, cursor, spec: ModelSpec) -> None:
        """A unique value already held by another record, one the bundle leaves as it is."""
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        # The rows the bundle rewrites free their values (a byline position the update
        # moves, say); a row edited since its import is kept as it is, unless overwritten.
        rewritten = (
            "'unchanged', 'updated', 'conflict'" if self.overwrite else "'unchanged', 'updated'"
        )
        for columns, condition, names, message in self.unique_sets(spec):
            same = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in columns)
            cond = f" AND ({condition})" if condition else ""
            # Derived tables keep each condition's unqualified columns unambiguous.
            clashes = (
                f"(SELECT s._n FROM (SELECT * FROM {stg} WHERE _action IS NOT NULL{cond}) s "
                f"JOIN (SELECT * FROM {table} WHERE TRUE{cond}) t ON {same} "
                f"WHERE NOT ({key_match('s', 't', spec)}) AND NOT EXISTS "
                f"(SELECT 1 FROM {stg} k WHERE {key_match('k', 't', spec)} "
                f"AND k._action IN ({rewritten}))) d"
            )
            rows = self.invalidate(cursor, spec, f"d._n = {stg}._n", join=clashes)
            cursor.execute(
                f"UPDATE {stg} SET _action = NULL WHERE NOT _valid AND _action IS NOT NULL"
            )
            self.rows_error(
                spec,
                rows,
                names,
                message or f"Another record in the database already has this {names}.",
            )

    def check_facts(self, cursor) -> None:
        """The rule book's rules over a record's rows, each by its own set-based check, over
        the records of the bundle (their rows written by now).

        The rules a constraint enforces were checked with the constraint; the quote rule
        with the citations (``locate_quotes``).
        """
        for rule in RULES.values():
            spec = SPECS_BY_LABEL.get(rule.model._meta.label_lower)
            if rule.set_check_over != "records" or rule.constraint or spec is None:
                continue
            if not self.staged[spec.label]:
                continue
            stg = _q(spec.staging_table)
            rows = rule.model._meta.get_field(rule.field)
            child_stg = _q(SPECS_BY_LABEL[rows.related_model._meta.label_lower].staging_table)
            records = rule.model._base_manager.filter(
                pk__in=RawSQL(f"SELECT id FROM {stg} WHERE _action IS NOT NULL", ())
            )
            breaking = rule.set_check(records).order_by().values("pk")
            sql, params = breaking.query.sql_with_params()
            # A record whose rows have errors of their own is not reported again for
            # lacking them.
            cursor.execute(
                f"SELECT s._part, s._idx, s._key FROM {stg} s "
                f"WHERE s._action IS NOT NULL AND s.id IN ({sql}) "
                f"AND NOT EXISTS (SELECT 1 FROM {child_stg} b WHERE NOT b._valid "
                f"AND b.{_q(rows.field.column)} = s.id) ORDER BY s._part, s._idx",
                params,
            )
            self.rows_error(spec, cursor.fetchall(), rule.field, rule.message)


def _condition_fields(condition) -> set[str]:
    names = set()
    for child in condition.children:
        if hasattr(child, "children"):
            names |= _condition_fields(child)
        else:
            lookup, value = child
            names.add(lookup.split("__")[0])
            if isinstance(value, F):
                names.add(value.name.split("__")[0])
    return names


def _own_message(constraint: UniqueConstraint) -> str | None:
    """The message a unique constraint states for its rule, if it states one."""
    if constraint.violation_error_message == constraint.default_violation_error_message:
        return None
    return str(constraint.violation_error_message)
