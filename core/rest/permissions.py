"""Who may do what: anyone reads what is published; editors write with their model rights."""

from rest_framework.permissions import DjangoModelPermissions

from core.editorial import can_see_unpublished

__all__ = ["ModelPermissionsOrPublicRead", "can_see_unpublished"]


class ModelPermissionsOrPublicRead(DjangoModelPermissions):
    """Reads are open to everyone; a write needs the model's add, change or delete right.

    The rights are Django's own (the Editors group holds them), so the admin and the API
    grant the same things to the same people. Seeing records that are not yet published
    needs the model's view or change right: see ``can_see_unpublished``.
    """

    authenticated_users_only = False
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": [],
        "HEAD": [],
        "OPTIONS": [],
    }
