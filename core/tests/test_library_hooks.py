"""The one private hook of a library caci still relies on, checked so that an upgrade that
changes it fails here, saying why, rather than silently undoing what it is for."""

from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_model_for_model

from core.services import tracked_models


def test_simple_history_still_builds_the_history_user_field_in_the_hook_caci_overrides():
    # simple-history has no public option to leave the history tables' columns unindexed;
    # core.history.RecordHistory overrides its private _get_history_user_fields (and the
    # undocumented copy_fields) to drop indexes no query reads and every write pays for.
    assert callable(getattr(HistoricalRecords, "_get_history_user_fields", None)), (
        "simple-history no longer has HistoricalRecords._get_history_user_fields: "
        "core.history.RecordHistory must find the new place where history_user is built, "
        "or the history tables get back an index on history_user_id."
    )
    assert callable(getattr(HistoricalRecords, "copy_fields", None)), (
        "simple-history no longer has HistoricalRecords.copy_fields: core.history."
        "RecordHistory must find the new place where the record's columns are copied."
    )


def test_the_history_tables_index_only_what_the_history_is_read_by():
    models = tracked_models()
    assert models, "no model keeps its history"
    for model in models:
        history = get_history_model_for_model(model)
        indexed = {
            field.name
            for field in history._meta.concrete_fields
            if field.db_index and not field.primary_key
        }
        assert indexed <= {model._meta.pk.name, "history_date"}, (
            f"{history._meta.label} indexes {sorted(indexed)}: simple-history changed how it "
            "builds a historical model, and core.history.RecordHistory no longer removes the "
            "indexes of the copied columns and of history_user."
        )
