"""Matching and writing: each valid staged record matched with the table by natural key,
then written set-based with its history.

A record is created, unchanged (its digest is the row's), updated (the row is as the last
import wrote it), or a conflict (an editor changed the row since: kept unless
``overwrite``). Writes are INSERT … SELECT and UPDATE … FROM the staging table; the history
rows are written by the same statement on PostgreSQL, naming the import run.

A record and its parts are one unit (``core.history``'s aggregates: an agreement with its
parties and citations): the parts an import creates, changes or deletes change the record
they belong to, once, unless the import wrote it already. A published record an import
sends back to review leaves a tombstone, as the review service's does.
"""

import json
from collections.abc import Sequence

from django.db import connection, models

from bundles.dialect import _q, key_match
from bundles.reading import ROW_HEAD
from bundles.report import DETAIL_LIMIT, RecordChange
from bundles.specs import SPECS, SPECS_BY_LABEL, ModelSpec
from core.editorial import ReviewStatus
from core.history import CHILDREN_FIELD
from core.models import RemovalReason, Tombstone
from core.services import identifier_field, tombstone_values

# Models whose children a bundle states in full: their staging rows keep the database id.
PARENTS = {ref.target for spec in SPECS for ref in spec.references if ref.name in spec.parents}
# How far a renumbered column (see ModelSpec.renumbered) is moved out of the way.
RENUMBER_SHIFT = 10_000


class Writing:
    """The matching and writing step of an import (see ``importing``): it uses the
    import's ``dialect``, ``overwrite``, ``report``, ``readers``, ``now``, ``db_now``,
    ``reason``, ``user``, ``user_id`` and ``touched``."""

    def classify(self, cursor, spec: ModelSpec) -> None:
        """Match the valid records with the table: unchanged, updated, or a conflict.

        Records that match no row keep the action they were staged with, created, and
        their digest is computed as they are inserted: a first import rewrites no staging
        row here."""
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        dialect = self.dialect
        set_id = "id = m.id, " if spec.has_auto_pk else ""
        cursor.execute(
            f"UPDATE {stg} SET {set_id}_digest = m.staged, _action = CASE "
            "WHEN m.staged = m.current THEN 'unchanged' "
            "WHEN m.imported = m.current THEN 'updated' ELSE 'conflict' END "
            f"FROM (SELECT s._n, t.id, {dialect.digest('s', spec.data_columns)} AS staged, "
            f"{dialect.digest('t', spec.data_columns)} AS current, t.import_digest AS imported "
            f"FROM {stg} s JOIN {table} t ON {key_match('s', 't', spec)} "
            f"WHERE s._valid AND NOT s._known) m WHERE {stg}._n = m._n"
        )

    def report_changes(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        report = self.report.model(spec.label)
        cursor.execute(
            f"SELECT _action, count(*) FROM {stg} WHERE _action IS NOT NULL GROUP BY _action"
        )
        for action, count in cursor.fetchall():
            if action == "conflict":
                report.conflicts += count
            else:
                setattr(report, action, getattr(report, action) + count)
        if not (report.updated or report.conflicts):
            return
        columns = [c for c in spec.data_columns]
        names = _field_names(spec, columns)
        flags = ", ".join(self.dialect.distinct(f"s.{_q(c)}", f"t.{_q(c)}") for c in columns)
        for batch in self.dialect.stream(
            f"SELECT s._key, s._action, {flags} FROM {stg} s JOIN {table} t "
            f"ON {key_match('s', 't', spec)} WHERE s._action IN ('updated', 'conflict') "
            "ORDER BY s._part, s._idx"
        ):
            for key, action, *changed in batch:
                fields = tuple(name for name, flag in zip(names, changed, strict=True) if flag)
                change = RecordChange(spec.label, key, fields)
                if action == "updated" or self.overwrite:
                    report.changed_fields.update(fields)
                target = self.report.updates if action == "updated" else self.report.conflicts
                if sum(1 for c in target if c.model == spec.label) < DETAIL_LIMIT:
                    target.append(change)

    def history_sql(self, spec: ModelSpec, kind: str) -> tuple[str, list]:
        """``INSERT INTO <history> (…) SELECT …`` over rows aliased t, and its parameters."""
        history_model = spec.model.history.model
        own = {
            "history_date": self.db_now,
            "history_change_reason": self.reason,
            "history_user": self.user_id,
        }
        columns, values, params = [], [], []
        for f in history_model._meta.concrete_fields:
            # An aggregate's children are written after it: each child's own history
            # rows record them (core.history.children_at reads them back from there).
            if f.name in ("history_id", CHILDREN_FIELD):
                continue
            columns.append(_q(f.column))
            if f.name == "history_type":
                values.append(f"'{kind}'")
            elif f.name in own:
                values.append("%s")
                params.append(own[f.name])
            else:
                values.append(f"t.{_q(f.column)}")
        head = f"INSERT INTO {_q(history_model._meta.db_table)} ({', '.join(columns)})"
        return f"{head} SELECT {', '.join(values)}", params

    def history(self, cursor, spec: ModelSpec, kind: str, where: str, params=()) -> None:
        """History rows, one per target row matching ``where`` (over alias t), in one go."""
        insert, own = self.history_sql(spec, kind)
        cursor.execute(f"{insert} FROM {_q(spec.table)} t WHERE {where}", [*own, *params])

    def write_with_history(self, cursor, spec: ModelSpec, kind: str, sql: str, params, where):
        """Run an INSERT or UPDATE of the table, and write the history of the rows it wrote.

        On PostgreSQL in one statement: the written rows flow straight into the history
        table (INSERT … RETURNING inside a WITH), with no second look-up. Elsewhere the
        history is copied from the table afterwards, the rows found by ``where``.
        """
        insert, own = self.history_sql(spec, kind)
        if self.dialect.postgres:
            returning = f"{_q(spec.table)}.*" if sql.startswith("UPDATE") else "*"
            cursor.execute(
                f"WITH t AS ({sql} RETURNING {returning}) {insert} FROM t", [*params, *own]
            )
            return
        cursor.execute(sql, params)
        self.history(cursor, spec, kind, where)

    def delete_stale(self, cursor, spec: ModelSpec) -> None:
        """Children of parents in the bundle that the bundle no longer lists."""
        if not spec.parents:
            return
        table, stg = _q(spec.table), _q(spec.staging_table)
        parents = []
        for name in spec.parents:
            ref = next(r for r in spec.references if r.name == name)
            parent_stg = _q(SPECS_BY_LABEL[ref.target].staging_table)
            parents.append(f"t.{_q(ref.column)} IN (SELECT id FROM {parent_stg} WHERE _valid)")
        current = self.dialect.digest("t", spec.data_columns)
        # The records the stale rows are parts of, which their deletion changes.
        aggregates = "".join(f", t.{_q(ref.column)}" for ref in spec.aggregates)
        cursor.execute("DROP TABLE IF EXISTS caci_stg_stale")
        cursor.execute(
            f"CREATE TEMPORARY TABLE caci_stg_stale AS SELECT t.{_q(spec.model._meta.pk.column)} "
            f"AS id, t.import_digest = {current} AS unedited{aggregates} FROM {table} t "
            f"WHERE ({' OR '.join(parents)}) AND NOT EXISTS "
            f"(SELECT 1 FROM {stg} s WHERE {key_match('s', 't', spec)})"
        )
        report = self.report.model(spec.label)
        cursor.execute("SELECT id FROM caci_stg_stale WHERE NOT unedited")
        edited = [row[0] for row in cursor.fetchall()]
        report.conflicts += len(edited)
        for record in spec.model._default_manager.filter(pk__in=edited[:DETAIL_LIMIT]):
            key = record.natural_key() if hasattr(record, "natural_key") else (str(record.pk),)
            self.report.conflicts.append(
                RecordChange(spec.label, _show_key(key), ("(no longer in the bundle)",))
            )
        doomed = "SELECT id FROM caci_stg_stale" + ("" if self.overwrite else " WHERE unedited")
        pk = _q(spec.model._meta.pk.column)
        self.history(cursor, spec, "-", f"t.{pk} IN ({doomed})")
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({doomed})")
        report.deleted += cursor.rowcount
        if cursor.rowcount:
            unedited = "" if self.overwrite else " WHERE r.unedited"
            self.aggregates_note(cursor, spec, f"FROM caci_stg_stale r{unedited}")

    def write(self, cursor, spec: ModelSpec) -> None:
        table, stg = _q(spec.table), _q(spec.staging_table)
        reader = self.readers[spec.label]
        data = [
            c for c in reader.columns[len(ROW_HEAD) :] if not c.endswith("__key") and c != "id"
        ]
        if not spec.has_auto_pk:
            data = ["id", *data]
        cols = ", ".join(_q(c) for c in data)
        changing = "'updated', 'conflict'" if self.overwrite else "'updated'"
        same_key = key_match(table, stg, spec)

        in_stg = f"EXISTS (SELECT 1 FROM {stg} s WHERE {key_match('s', 't', spec)} AND "
        # A published record the import writes names the run as its verification: no
        # editor of this database has checked this version of it.
        reviewed = spec.reviewed
        published = f"{stg}.review_status = '{ReviewStatus.PUBLISHED.value}'"
        verification_columns = ", verified_at, verified_via" if reviewed else ""
        verification_values = (
            f", CASE WHEN {published} THEN %s END, CASE WHEN {published} THEN %s ELSE '' END"
            if reviewed
            else ""
        )
        verification_params = [self.db_now, self.reason] if reviewed else []
        # The rows about to be renumbered are first moved out of the way of the new rows
        # as well as of each other: a new author put first in a byline takes the place of
        # one the update moves down.
        if spec.renumbered:
            number = _q(spec.renumbered)
            cursor.execute(
                f"UPDATE {table} SET {number} = {table}.{number} + {RENUMBER_SHIFT} "
                f"FROM {stg} WHERE {stg}._action IN ({changing}) AND {same_key}"
            )
        # Inserts.
        self.write_with_history(
            cursor,
            spec,
            "+",
            f"INSERT INTO {table} ({cols}, created_at, updated_at, import_digest, "
            f"import_fingerprint{verification_columns}) SELECT {cols}, %s, %s, "
            f"{self.dialect.digest(stg, spec.data_columns)}, _fingerprint"
            f"{verification_values} FROM {stg} "
            f"WHERE _action = 'created' ORDER BY {spec.ordering or '_n'}",
            [self.db_now, self.db_now, *verification_params],
            in_stg + "s._action = 'created')",
        )
        if spec.label in PARENTS and spec.has_auto_pk:
            cursor.execute(
                f"UPDATE {stg} SET id = t.id FROM {table} t "
                f"WHERE {stg}._action = 'created' AND {key_match(stg, 't', spec)}"
            )
        # Updates: first what the rows were (published; a part of which record).
        report = self.report.model(spec.label)
        if report.updated or (self.overwrite and report.conflicts):
            self.unpublished_tombstones(cursor, spec, changing)
            self.aggregates_note(
                cursor,
                spec,
                f"FROM {table} r JOIN {stg} s ON {key_match('s', 'r', spec)} "
                f"WHERE s._action IN ({changing})",
            )
        assignments = ", ".join(f"{_q(c)} = {stg}.{_q(c)}" for c in data if c != "id")
        if reviewed:
            assignments += (
                f", verified_by_id = NULL, verified_at = CASE WHEN {published} THEN %s END, "
                f"verified_via = CASE WHEN {published} THEN %s ELSE '' END"
            )
        self.write_with_history(
            cursor,
            spec,
            "~",
            f"UPDATE {table} SET {assignments}, updated_at = %s, import_digest = {stg}._digest, "
            f"import_fingerprint = {stg}._fingerprint "
            f"FROM {stg} WHERE {stg}._action IN ({changing}) AND {same_key}",
            [*verification_params, self.db_now],
            in_stg + f"s._action IN ({changing}))",
        )
        # Equal records whose digest is stale (an editor's change the bundle now agrees
        # with): digest and fingerprint alone are brought up to date, quietly. A record
        # equal but written in another layout (an export of it, say) is left as it is: an
        # unchanged record is not written to.
        cursor.execute(
            f"UPDATE {table} SET import_digest = {stg}._digest, "
            f"import_fingerprint = {stg}._fingerprint FROM {stg} "
            f"WHERE {stg}._action = 'unchanged' AND NOT {stg}._known AND {same_key} "
            f"AND {table}.import_digest <> {stg}._digest"
        )
        # The records the new and changed rows are now parts of. Asked whatever the counts,
        # so that an import runs the same statements whichever of its models it changes.
        self.aggregates_note(
            cursor, spec, f"FROM {stg} r WHERE r._action IN ('created', {changing})"
        )
        self.aggregates_touch(cursor, spec)

    def unpublished_tombstones(self, cursor, spec: ModelSpec, changing: str) -> None:
        """A tombstone for each published record the update about to be written sends back
        to review, as ``core.services.tombstone_write`` writes one for a single record."""
        if not spec.reviewed:
            return
        values = tombstone_values(
            model=spec.model,
            reason=RemovalReason.UNPUBLISHED,
            public=True,
            user=self.user,
            moment=self.now,
        )
        columns, params = [], []
        for name, value in values.items():
            field = Tombstone._meta.get_field(name)
            if isinstance(value, models.Model):
                value = value.pk
            columns.append(_q(field.column))
            params.append(field.get_db_prep_save(value, connection))
        columns.append(_q(Tombstone._meta.get_field("record_id").column))
        record_id = self.dialect.as_text("t", identifier_field(spec.model))
        published = ReviewStatus.PUBLISHED.value
        cursor.execute(
            f"INSERT INTO {_q(Tombstone._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(['%s'] * len(params))}, {record_id} "
            f"FROM {_q(spec.table)} t JOIN {_q(spec.staging_table)} s "
            f"ON {key_match('s', 't', spec)} WHERE s._action IN ({changing}) "
            "AND t.review_status = %s AND s.review_status <> %s",
            [*params, published, published],
        )

    def aggregates_note(self, cursor, spec: ModelSpec, rows: str) -> None:
        """Note, to be changed, the records that ``rows`` (``FROM … WHERE …`` over rows
        aliased r holding parts of them) belong to, unless this import wrote them already
        (their ``updated_at`` is its moment): an aggregate changes once per import."""
        for ref in spec.aggregates:
            aggregate = SPECS_BY_LABEL[ref.target]
            pk = _q(aggregate.model._meta.pk.column)
            cursor.execute(
                f"INSERT INTO {_q(aggregate.touched_table)} (id) SELECT a.{pk} "
                f"FROM {_q(aggregate.table)} a WHERE a.updated_at <> %s "
                f"AND a.{pk} IN (SELECT r.{_q(ref.column)} {rows})",
                [self.db_now],
            )
            self.touched[aggregate.label] += cursor.rowcount

    def aggregates_touch(self, cursor, spec: ModelSpec) -> None:
        """Change the records noted by ``aggregates_note``: their ``updated_at`` moves and their
        history gets one version, whose parts ``core.history.children_at`` reads from the
        parts' own history rows written at the same moment."""
        for ref in spec.aggregates:
            aggregate = SPECS_BY_LABEL[ref.target]
            if not self.touched[aggregate.label]:
                continue
            pk, touched = _q(aggregate.model._meta.pk.column), _q(aggregate.touched_table)
            self.write_with_history(
                cursor,
                aggregate,
                "~",
                f"UPDATE {_q(aggregate.table)} SET updated_at = %s "
                f"WHERE {pk} IN (SELECT id FROM {touched})",
                [self.db_now],
                f"t.{pk} IN (SELECT id FROM {touched})",
            )
            cursor.execute(f"DELETE FROM {touched}")
            self.touched[aggregate.label] = 0


def _field_names(spec: ModelSpec, columns: Sequence[str]) -> list[str]:
    by_column = {f.column: f.name for f in spec.model._meta.concrete_fields}
    return [by_column[c] for c in columns]


def _show_key(key: Sequence) -> str:
    return str(key[0]) if len(key) == 1 else json.dumps(list(key), ensure_ascii=False)
