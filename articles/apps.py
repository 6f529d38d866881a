from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self) -> None:
        # The rule book registers the app's rules when it is read.
        from articles import rules  # noqa: F401
