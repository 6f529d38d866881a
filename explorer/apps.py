from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    """The public, read-only website: the dataset's published records as pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "explorer"
