"""The `kuntarobo` command: the project's manage.py, so every operator task has one entry point."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kuntarobo", *sys.argv[1:]])


if __name__ == "__main__":
    main()
