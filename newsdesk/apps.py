from django.apps import AppConfig


class NewsdeskConfig(AppConfig):
    name = "newsdesk"
    verbose_name = "News"

    def ready(self):
        from newsdesk import checks  # noqa: F401  (registers the system checks)
