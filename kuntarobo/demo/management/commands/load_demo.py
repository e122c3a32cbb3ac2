from typing import Any

from django.core.management.base import BaseCommand

from kuntarobo.demo.data import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo municipality Esimerkkilä (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        users = load_demo()
        self.stdout.write(f"Demo users (password: {DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(
                f"  {user.username:15} {', '.join(user.roles):30} {user.municipality}"
            )
