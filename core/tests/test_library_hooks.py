"""Private hooks of the libraries that the base relies on where the library offers no
public one, each checked so that an upgrade that changes it fails here, saying why, rather
than silently undoing what it is for."""

from simple_history.models import HistoricalRecords


def test_simple_history_still_builds_the_history_user_field_in_the_hook_caci_overrides():
    # simple-history has no public option to leave the history tables' columns unindexed;
    # core.history.RecordHistory overrides its private _get_history_user_fields (and the
    # undocumented copy_fields) to drop indexes no query reads and every write pays for.
    assert callable(getattr(HistoricalRecords, "_get_history_user_fields", None)), (
        "simple-history no longer has HistoricalRecords._get_history_user_fields: "
        "core.history.RecordHistory must find the new place where history_user is built, "
        "or the history tables get back an index on history_user_id (see "
        "caci/tests/test_history.py, which checks the tables' indexes)."
    )
    assert callable(getattr(HistoricalRecords, "copy_fields", None)), (
        "simple-history no longer has HistoricalRecords.copy_fields: core.history."
        "RecordHistory must find the new place where the record's columns are copied."
    )
