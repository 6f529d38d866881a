from django.apps import AppConfig


class ActorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actors"

    def ready(self) -> None:
        # The rule book registers the app's rules when it is read.
        from actors import rules  # noqa: F401
