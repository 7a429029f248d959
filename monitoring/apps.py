from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def ready(self) -> None:
        from monitoring import heartbeat, signals

        signals.connect()
        heartbeat.connect()
