from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsdeskConfig(AppConfig):
    name = "newsdesk"
    verbose_name = _("News")

    def ready(self):
        from newsdesk import checks  # noqa: F401  (registers the system checks)
