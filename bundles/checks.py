"""The checks over a model's staged records: duplicate keys, references, quotes,
constraints, unique values, and the rules over the whole dataset.

Each check is set-based SQL over the staging tables: it marks the rows that fail invalid
(``invalidate``) and reports each one, located in its file, through ``rows_error``.
"""

import re
import uuid
from bisect import bisect_left

from django.db import connection
from django.db.models import CheckConstraint, F, UniqueConstraint

from bundles.dialect import _q, key_match
from bundles.specs import NOT_IMPORTED, SPECS_BY_LABEL, ModelSpec


class CollapsedText:
    """An article's text with every run of whitespace read as one space, for finding quotes.

    ``find_quote`` matches a quote's words separated by any run of whitespace; that is a plain
    substring search in the collapsed text, mapped back to offsets in the text itself. One
    article is collapsed once for all the quotes that cite it, where find_quote would
    compile a pattern per quote.
    """

    def __init__(self, text: str):
        self.text = text
        # str.split and \s agree on what white space is; splitting and joining is several
        # times faster than substituting every run.
        collapsed = " ".join(text.split())
        if collapsed:
            lead = " " if text[0].isspace() else ""
            trail = " " if text[-1].isspace() else ""
            collapsed = f"{lead}{collapsed}{trail}"
        elif text:
            collapsed = " "
        self.collapsed = collapsed
        # Where a run longer than one character shrank: (collapsed position, total shift).
        self._at: list[int] = []
        self._shift: list[int] = []
        shift = 0
        for run in _LONG_RUN.finditer(text):
            shift += run.end() - run.start() - 1
            self._at.append(run.start() - (shift - (run.end() - run.start() - 1)))
            self._shift.append(shift)

    def _original(self, position: int) -> int:
        """Offset in the text of the collapsed text's character at ``position``."""
        runs_before = bisect_left(self._at, position)
        return position + (self._shift[runs_before - 1] if runs_before else 0)

    def locate(self, quote: str) -> tuple[int, int] | None:
        words = quote.split()
        if not words:
            return None
        joined = " ".join(words)
        at = self.collapsed.find(joined)
        if at == -1:
            return None
        return self._original(at), self._original(at + len(joined) - 1) + 1


_LONG_RUN = re.compile(r"\s\s+")  # the same as \s{2,}, found twice as fast


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
        self.rows_error(
            spec,
            rows,
            ", ".join(spec.key),
            "Duplicate natural key: another record of this bundle has the same one.",
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
        """Find each citation's quote in its article's text: offsets, or an error."""
        from articles.models import Article

        stg = _q(spec.staging_table)
        cursor.execute("DROP TABLE IF EXISTS caci_stg_offsets")
        cursor.execute(
            f"CREATE TEMPORARY TABLE caci_stg_offsets (_n {self.dialect.row_id_type()}, "
            "char_start integer, char_end integer)"
        )
        self.unknow_quotes_of_changed_articles(cursor, spec)
        texts: dict[int, CollapsedText] = {}
        proto = Article()
        columns = ["_n", "char_start", "char_end"]
        bad: list[tuple] = []
        for batch in self.dialect.stream(
            f"SELECT _n, _part, _idx, _key, article_id, quote FROM {stg} "
            "WHERE article_id IS NOT NULL AND NOT _known ORDER BY article_id"
        ):
            wanted = {row[4] for row in batch} - texts.keys()
            if wanted:
                texts = {k: v for k, v in texts.items() if k == batch[0][4]}
                with connection.cursor() as text_cursor:
                    marks = ", ".join(["%s"] * len(wanted))
                    text_cursor.execute(
                        f"SELECT id, lede, body FROM {_q(Article._meta.db_table)} "
                        f"WHERE id IN ({marks})",
                        list(wanted),
                    )
                    for article_id, lede, body in text_cursor.fetchall():
                        proto.lede, proto.body = lede, body
                        texts[article_id] = CollapsedText(proto.text)
            found = []
            for n, file_no, index, key, article_id, quote in batch:
                span = texts[article_id].locate(quote)
                if span is None:
                    bad.append((n, file_no, index, key))
                else:
                    found.append((n, *span))
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
        self.rows_error(
            spec,
            [row[1:] for row in bad],
            "quote",
            "This passage does not occur in the article's text.",
        )

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
        model = spec.model
        editor = connection.schema_editor()
        for constraint in model._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            if _condition_fields(constraint.condition) & NOT_IMPORTED:
                # Over columns the importer writes itself (a published record's
                # verification): the database checks them as they are written.
                continue
            condition = constraint._get_check_sql(model, editor)
            rows = self.invalidate(
                cursor, spec, f"NOT _known AND NOT COALESCE(({condition}), TRUE)"
            )
            fields = ", ".join(sorted(_condition_fields(constraint.condition)))
            self.rows_error(spec, rows, fields, constraint.get_violation_error_message())

    def unique_sets(self, spec: ModelSpec) -> list[tuple[tuple[str, ...], str | None, str]]:
        """(columns, condition SQL, field names) of each uniqueness rule but the natural key."""
        model = spec.model
        editor = connection.schema_editor()
        fields = {f.name: f for f in model._meta.concrete_fields}
        found = []
        for f in model._meta.concrete_fields:
            if f.unique and not f.primary_key and (f.name,) != spec.key:
                found.append(((f.column,), None, f.name))
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            if set(constraint.fields) == set(spec.key) and constraint.condition is None:
                continue
            condition = (
                constraint._get_condition_sql(model, editor) if constraint.condition else None
            )
            columns = tuple(fields[name].column for name in constraint.fields)
            found.append((columns, condition, ", ".join(constraint.fields)))
        return found

    def check_unique_in_bundle(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        for columns, condition, names in self.unique_sets(spec):
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
                spec, rows, names, f"Another record of this bundle has the same {names}."
            )

    def check_unique_in_database(self, cursor, spec: ModelSpec) -> None:
        """A unique value already held by another record, one the bundle leaves as it is."""
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        for columns, condition, names in self.unique_sets(spec):
            same = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in columns)
            cond = f" AND ({condition})" if condition else ""
            # Derived tables keep each condition's unqualified columns unambiguous.
            clashes = (
                f"(SELECT s._n FROM (SELECT * FROM {stg} WHERE _action IS NOT NULL{cond}) s "
                f"JOIN (SELECT * FROM {table} WHERE TRUE{cond}) t ON {same} "
                f"WHERE NOT ({key_match('s', 't', spec)}) AND NOT EXISTS "
                f"(SELECT 1 FROM {stg} k WHERE {key_match('k', 't', spec)})) d"
            )
            rows = self.invalidate(cursor, spec, f"d._n = {stg}._n", join=clashes)
            cursor.execute(
                f"UPDATE {stg} SET _action = NULL WHERE NOT _valid AND _action IS NOT NULL"
            )
            self.rows_error(
                spec, rows, names, f"Another record in the database already has this {names}."
            )

    def check_facts(self, cursor) -> None:
        from actors.services import MIN_AGREEMENT_PARTIES

        checks = [
            (
                "actors.agreement",
                "actors_agreementparty",
                "agreement_id",
                MIN_AGREEMENT_PARTIES,
                "parties",
                f"An agreement has at least {MIN_AGREEMENT_PARTIES} parties.",
            ),
            (
                "actors.agreement",
                "actors_citation",
                "agreement_id",
                1,
                "citations",
                "Cite at least one article and the passage that states this.",
            ),
            (
                "actors.tradefigure",
                "actors_citation",
                "trade_figure_id",
                1,
                "citations",
                "Cite at least one article and the passage that states this.",
            ),
        ]
        for label, child, column, minimum, field, message in checks:
            spec = SPECS_BY_LABEL[label]
            stg = _q(spec.staging_table)
            child_stg = _q(f"caci_stg_{child.split('_', 1)[1]}")
            # A fact whose parties or citations have errors of their own is not reported
            # again for lacking them.
            # One grouped count of the children of the bundle's facts, not a count per fact.
            col = _q(column)
            cursor.execute(
                f"SELECT s._part, s._idx, s._key FROM {stg} s LEFT JOIN "
                f"(SELECT c.{col} AS fact, count(*) AS n FROM {_q(child)} c "
                f"WHERE c.{col} IN (SELECT id FROM {stg} WHERE _action IS NOT NULL) "
                f"GROUP BY c.{col}) c ON c.fact = s.id "
                f"WHERE s._action IS NOT NULL AND COALESCE(c.n, 0) < %s "
                f"AND NOT EXISTS (SELECT 1 FROM {child_stg} b WHERE NOT b._valid "
                f"AND b.{col} = s.id) ORDER BY s._part, s._idx",
                [minimum],
            )
            self.rows_error(spec, cursor.fetchall(), field, message)


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
