"""The robot's rule, pure Python (no Django), so its fast command line needs no Django."""


def greeting(name: str) -> str:
    return f"Hello, {name}!"
