from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kuntarobo.accounts"
    verbose_name = _("Municipalities and users")
