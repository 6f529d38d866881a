from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CaciConfig(AppConfig):
    """Project-wide pieces that belong to neither app: editorial conventions, history."""

    default = True
    name = "caci"
    verbose_name = "CACI dataset"

    def ready(self) -> None:
        # Connects the receiver that gives historical rows the current change reason.
        from caci import history  # noqa: F401


class CaciAdminConfig(admin_apps.AdminConfig):
    """The admin, on the editors' site: the review queue and deleted records on its index."""

    default = False
    default_site = "caci.admin_site.EditorialAdminSite"
