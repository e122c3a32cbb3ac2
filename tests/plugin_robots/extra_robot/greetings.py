"""The robot's rules, pure Python (no Django): its fast command line imports them too."""

from __future__ import annotations

MAX_NAME = 100


def greeting(name: str, salutation: str = "Hello") -> str:
    return f"{salutation}, {name}!"


def split_names(text: str) -> list[str]:
    """The names of a comma-separated list; ValueError names the first bad one (1-based)."""
    names = [part.strip() for part in text.split(",")]
    for number, name in enumerate(names, start=1):
        if not name:
            raise ValueError(f"name {number} of {len(names)} is empty")
        if len(name) > MAX_NAME:
            raise ValueError(f"name {number} is longer than {MAX_NAME} characters")
    return names
