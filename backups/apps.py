from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backing up and restoring the whole database (management commands; no models)."""

    name = "backups"
