"""What every spreadsheet of the dataset shares (django-import-export).

A row goes through the same checks as an edit in the admin: the model's ``full_clean``,
then the app's service, which applies the rules that span records (two parties, one
citation). The whole file is one transaction: one bad row and nothing is written. A row
that would change nothing is skipped, so a sheet exported and imported back unchanged
writes nothing and leaves ``updated_at`` as it was.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from import_export import fields, resources, widgets

from core.history import history_context
from core.services import record_review, writer_for


class ServiceResource(resources.ModelResource):
    """A resource whose rows are written by the model's writer (``core.services.Writer``).

    ``parse_related`` reads the columns that are not model fields (aliases, parties,
    citations) into the writer's related rows.
    """

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    # Import --------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        file_name = kwargs.get("file_name") or "a spreadsheet"
        self.importing_user = kwargs.get("user")
        who = f" by {self.importing_user}" if self.importing_user else ""
        with history_context(
            reason=f"Spreadsheet import of {file_name}{who}", user=self.importing_user
        ):
            return super().import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=raise_errors,
                # One bad row and nothing is written.
                rollback_on_validation_errors=kwargs.pop("rollback_on_validation_errors", True),
                **kwargs,
            )

    def parse_related(self, instance, row) -> dict[str, Any]:
        """The row's non-model columns, as the services take them. Raises
        ``ValidationError`` keyed by column."""
        return {}

    def import_instance(self, instance, row, **kwargs) -> None:
        errors = {}
        stored_status = getattr(instance, "review_status", None)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if stored_status is not None:
            # The status a row asks for moves through the review, after the row's write,
            # which records the importing editor as the verifier: until then the record
            # keeps the status it has.
            instance.review_status_wanted = instance.review_status
            instance.review_status = stored_status
        try:
            instance.imported_related = self.parse_related(instance, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors or original is None or original._state.adding:
            return False
        return all(
            self._unchanged(field, instance, original) for field in self.get_import_fields()
        )

    def _unchanged(self, field, instance, original) -> bool:
        if field.attribute == "review_status":
            return instance.review_status_wanted in (None, "", original.review_status)
        if field.attribute is None:
            # A related column (aliases, parties, citations): compare it as it would be
            # exported after the import with the stored record's.
            return self.export_field(field, instance) == self.export_field(field, original)
        # Values, not their text: 150000000 read from a spreadsheet cell as a float is the
        # stored Decimal 150000000.00; an empty cell is an empty optional value.
        new, old = field.get_value(instance), field.get_value(original)
        return new == old or (new in (None, "") and old in (None, ""))

    def do_instance_save(self, instance, is_create) -> None:
        writer = writer_for(type(instance))
        data = {name: getattr(instance, name) for name in writer.fields}
        wanted_status = getattr(instance, "review_status_wanted", None)
        related = getattr(instance, "imported_related", {})
        # The row and its review are one write: a refused publication undoes the row.
        with transaction.atomic():
            if is_create:
                saved = writer.create(data=data, related=related)
            else:
                stored = type(instance)._default_manager.get(pk=instance.pk)
                saved = writer.update(instance=stored, data=data, related=related)
            if wanted_status and wanted_status != saved.review_status:
                record_review(
                    record=saved, status=wanted_status, user=getattr(self, "importing_user", None)
                )
        # The import goes on with its own object (its report, the admin's log): it is the
        # record as the writer wrote it, identity included.
        instance.pk = saved.pk
        instance.refresh_from_db()


def stored_related(instance: models.Model, name: str) -> list:
    if instance.pk is None or instance._state.adding:
        return []
    return list(getattr(instance, name).all())


# Bookkeeping of the fixture importer, which means nothing to a reader of a sheet.
UNSHEETED_FIELDS = ("import_digest", "import_fingerprint")


def record_resource(model: type[models.Model]) -> type[resources.ModelResource]:
    """A sheet of ``model`` for export: one column per field, a related record named by
    its slug where it has one (its id otherwise)."""
    names = [f.name for f in model._meta.concrete_fields if f.name not in UNSHEETED_FIELDS]
    declared = {
        field.name: fields.Field(
            attribute=field.name,
            column_name=field.name,
            widget=widgets.ForeignKeyWidget(field.related_model, field="slug"),
        )
        for field in model._meta.concrete_fields
        if field.many_to_one and any(f.name == "slug" for f in field.related_model._meta.fields)
    }
    meta = type("Meta", (), {"model": model, "fields": names})
    return type(
        f"{model.__name__}Resource", (resources.ModelResource,), {**declared, "Meta": meta}
    )
