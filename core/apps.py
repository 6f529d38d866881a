from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """The shared base of the dataset's apps: editorial conventions, history, services,
    admin, spreadsheet and REST base classes. It imports no dataset app."""

    default = True
    name = "core"
    verbose_name = "CACI dataset"

    def ready(self) -> None:
        # Connects the receiver that gives historical rows the current change reason.
        from core import history  # noqa: F401


class EditorialAdminConfig(admin_apps.AdminConfig):
    """The admin, on the editors' site: the review queue and deleted records on its index."""

    default = False
    default_site = "core.admin_site.EditorialAdminSite"
