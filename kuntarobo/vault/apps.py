from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "kuntarobo.vault"
    label = "vault"
    verbose_name = _("Vault")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kuntarobo.runtime import robotframework
        from kuntarobo.vault import actions

        # The runtime sits below the vault: Robot Framework robots read their credentials
        # through the reader the vault hands it here (audited like every robot's read).
        robotframework.use_credential_reader(actions.credential_for_robot)
