"""Fixture bundles in and out: the importer, the exporter and the synthetic generator."""

from actors.bundles.importing import fixtures_import
from actors.bundles.report import BundleError, BundleInvalid, ImportReport

__all__ = ["BundleError", "BundleInvalid", "ImportReport", "fixtures_import"]
