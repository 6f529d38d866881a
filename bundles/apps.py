from django.apps import AppConfig


class BundlesConfig(AppConfig):
    """The whole dataset in and out: fixture bundles imported, exported and generated, the
    corpus seed, and the record of every import run."""

    default = True
    name = "bundles"
    verbose_name = "Fixture bundles"
