"""Known records: the bundle's records whose very text the last import wrote, on rows
nobody has edited since.

Their fingerprints (a digest of each record's text) are loaded before reading; a record
with one of them is staged with its key alone (``staging``), and the rest of its row is
copied from the database here. The checks of a record's own fields pass such rows by.
"""

from django.db import connection, models

from bundles.dialect import _q
from bundles.reading import ROW_HEAD
from bundles.specs import SPECS, SPECS_BY_LABEL, ModelSpec


class KnownRecords:
    """The known-records step of an import (see ``importing``): it uses the import's
    ``check_all``, ``dialect``, ``readers``, ``known``, ``known_staged``, ``staged`` and
    ``error``."""

    def load_known(self, cursor) -> None:
        """The fingerprints of the records the database holds exactly as imported.

        A record qualifies when its import digest still matches its data (nobody has
        edited it since), so do the records it names by slug (a parent renamed in the
        admin no longer answers to the slug the record's text names), and, for a
        citation, when its article has not changed since the citation was written (its
        offsets were found in the article's text as it was). A bundle record with one of
        these fingerprints is that very text again, so it is unchanged and is not checked
        field by field a second time: the row it would produce is the row the database
        has. One 16-byte digest per such record is held in memory (about 90 MB for a
        million); the rows are listed in a temporary table.
        """
        if self.check_all:
            return
        cursor.execute("DROP TABLE IF EXISTS caci_stg_edited")
        cursor.execute("CREATE TEMPORARY TABLE caci_stg_edited (_model varchar(100), id bigint)")
        for label in sorted({ref.target for spec in SPECS for ref in spec.references}):
            target = SPECS_BY_LABEL[label]
            if not target.has_auto_pk:
                continue  # named by UUID, which no edit changes
            cursor.execute(
                f"INSERT INTO caci_stg_edited (_model, id) SELECT %s, t.id FROM "
                f"{_q(target.table)} t WHERE t.import_digest <> "
                f"{self.dialect.digest('t', target.data_columns)}",
                [label],
            )
        self.dialect.analyze_table(cursor, "caci_stg_edited")
        for spec in SPECS:
            # The row's own key, in its own type, so that it is found again by it.
            pk = spec.model._meta.pk
            key_type = "bigint" if spec.has_auto_pk else pk.db_type(connection)
            table = _q(spec.unedited_table)
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (_fingerprint varchar(32), id {key_type})"
            )
            condition, params = self.known_condition(spec)
            cursor.execute(
                f"INSERT INTO {table} (_fingerprint, id) SELECT t.import_fingerprint, "
                f"t.{_q(pk.column)} FROM {_q(spec.table)} t WHERE {condition}",
                params,
            )
            self.dialect.analyze_table(cursor, spec.unedited_table)
            for batch in self.dialect.stream(f"SELECT _fingerprint FROM {table}"):
                self.known.update(bytes.fromhex(row[0]) for row in batch)

    def known_condition(self, spec: ModelSpec) -> tuple[str, list]:
        """SQL over a row ``t`` of the model: may a bundle record with its fingerprint be
        taken as unchanged? See ``load_known``."""
        conditions = [
            "t.import_fingerprint <> ''",
            f"t.import_digest = {self.dialect.digest('t', spec.data_columns)}",
        ]
        params: list = []
        for ref in spec.references:
            if ref.by_slug:
                conditions.append(
                    "NOT EXISTS (SELECT 1 FROM caci_stg_edited e WHERE e._model = %s "
                    f"AND e.id = t.{_q(ref.column)})"
                )
                params.append(ref.target)
        if spec.quoted_in:
            # The quote's offsets were found in the text as it was when the row was written.
            ref = spec.reference(spec.quoted_in)
            source = _q(SPECS_BY_LABEL[ref.target].table)
            conditions.append(
                f"NOT EXISTS (SELECT 1 FROM {source} a WHERE a.id = t.{_q(ref.column)} "
                "AND a.updated_at > t.updated_at)"
            )
        return " AND ".join(conditions), params

    def long_texts(self, spec: ModelSpec) -> list[str]:
        """The staged text columns (article bodies, quotes, notes): not copied for records
        known unchanged, since no check over the bundle reads them."""
        staged = set(self.readers[spec.label].columns)
        return [
            f.column
            for f in spec.model._meta.concrete_fields
            if isinstance(f, models.TextField) and f.column in staged
        ]

    def stage_known(self, cursor, spec: ModelSpec) -> None:
        """Stage the known records of one model from their rows in the database.

        Every column but the long texts is copied, so the checks over the bundle (natural
        keys, unique values, the parents whose children the bundle lists) see them as the
        records they are. They are staged as unchanged, and the checks of a record's own
        fields pass them by.
        """
        expected = self.known_staged[spec.label]
        if not expected:
            return
        stg = _q(spec.staging_table)
        reader = self.readers[spec.label]
        skipped = set(self.long_texts(spec))
        copied = [
            c
            for c in reader.columns[len(ROW_HEAD) :]
            if not c.endswith("__key") and c not in skipped
        ]
        if spec.has_auto_pk and "id" not in copied:
            copied.append("id")
        names = ", ".join(_q(c) for c in copied)
        values = ", ".join(f"t.{_q(c)}" for c in copied)
        cursor.execute(
            f"INSERT INTO {stg} (_n, _part, _idx, _key, _valid, _fingerprint, _known, _action, "
            f"{names}) SELECT k._n, k._part, k._idx, k._key, {self.dialect.true}, "
            f"k._fingerprint, {self.dialect.true}, 'unchanged', {values} "
            f"FROM {_q(spec.known_table)} k JOIN {_q(spec.unedited_table)} u "
            f"ON u._fingerprint = k._fingerprint JOIN {_q(spec.table)} t "
            f"ON t.{_q(spec.model._meta.pk.column)} = u.id"
        )
        if cursor.rowcount != expected:
            self.error(
                None,
                None,
                spec.label,
                "",
                "",
                "Records changed in the database while the import ran; run it again.",
            )
        self.staged[spec.label] += expected
