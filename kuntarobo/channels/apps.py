from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "kuntarobo.channels"
    label = "channels"
    verbose_name = _("Delivery channels")
    default_auto_field = "django.db.models.BigAutoField"
