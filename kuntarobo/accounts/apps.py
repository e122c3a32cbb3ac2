from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kuntarobo.accounts"
    verbose_name = _("Municipalities and users")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from kuntarobo.accounts import signin

        user_login_failed.connect(signin.record_failed_sign_in, dispatch_uid="kuntarobo-failed")
        user_locked_out.connect(signin.record_lockout, dispatch_uid="kuntarobo-locked-out")
        user_logged_in.connect(signin.record_sign_in, dispatch_uid="kuntarobo-signed-in")
        user_logged_out.connect(signin.record_sign_out, dispatch_uid="kuntarobo-signed-out")
