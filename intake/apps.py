from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Bringing a new Analyst article in: its text parsed, then the facts it reports
    proposed to an editor, each with the passage that states it."""

    name = "intake"
    verbose_name = "Intake"
