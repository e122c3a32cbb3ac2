"""A robot's process diagram: Graphviz DOT made from its path steps, drawn by `dot` to SVG.

Pure Python (no Django). The DOT is always our own, built here from the declaration; every label
is escaped, so a step named with quotes, backslashes or markup is printed, never interpreted.
The SVG is then embedded in a page and a PDF, so what `dot` returns is trimmed to the `<svg>`
element and refused if it carries anything a diagram of boxes and arrows never needs."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

DOT_TIMEOUT_SECONDS: Final = 10
# Fill colours by actor: the robot's steps and a person's are told apart by shape as well, so
# the diagram does not rely on colour alone.
ROBOT_STYLE: Final = 'shape=box, style="rounded,filled", fillcolor="#dbe9f6"'
PERSON_STYLE: Final = 'shape=box, style="filled", fillcolor="#fbe8c8", peripheries=2'
# What an SVG from our DOT never contains; if it does, it is not embedded.
_FORBIDDEN: Final = re.compile(
    r"<\s*(script|foreignObject|iframe|object|embed)|\son\w+\s*=|javascript:|xlink:href|\shref=",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DiagramStep:
    """A step as the diagram shows it: its name, who does it and in which system (all already
    in the reader's language)."""

    name: str
    actor: str  # "robot" or "person"
    actor_label: str
    system: str = ""


def escape(text: str) -> str:
    """A text as the inside of a DOT double-quoted string, printed literally: backslashes
    (Graphviz's escapes such as \\N or \\l) and quotes escaped, line breaks as spaces."""
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot_source(steps: Sequence[DiagramStep], *, title: str) -> str:
    """The process as a top-to-bottom chain of steps, each labelled with its number, name,
    actor and system."""
    lines = [
        "digraph process {",
        f'  graph [rankdir=TB, label="{escape(title)}", labelloc=t, fontname="DejaVu Sans"];',
        '  node [fontname="DejaVu Sans", fontsize=11, margin="0.2,0.08"];',
        '  edge [color="#555555"];',
    ]
    for number, step in enumerate(steps, start=1):
        label = f"{number}. {escape(step.name)}\\n{escape(step.actor_label)}"
        if step.system:
            label += f"\\n{escape(step.system)}"
        style = PERSON_STYLE if step.actor == "person" else ROBOT_STYLE
        lines.append(f'  s{number} [label="{label}", {style}];')
    lines.extend(f"  s{number} -> s{number + 1};" for number in range(1, len(steps)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_svg(source: str, *, timeout: float = DOT_TIMEOUT_SECONDS) -> str | None:
    """The diagram as an `<svg>` element, or None when Graphviz is not installed, fails or
    takes too long: the document is then made without it."""
    executable = shutil.which("dot")
    if executable is None:
        return None
    try:
        done = subprocess.run(  # our own DOT on standard input; no shell
            [executable, "-Tsvg"],
            input=source.encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return clean_svg(done.stdout.decode("utf-8", errors="replace"))


def clean_svg(svg: str) -> str | None:
    """The `<svg>` element alone (no XML declaration, doctype or comments), or None if it holds
    anything active."""
    start = svg.find("<svg")
    end = svg.rfind("</svg>")
    if start < 0 or end < 0:
        return None
    element = re.sub(r"<!--.*?-->", "", svg[start : end + len("</svg>")], flags=re.DOTALL)
    if _FORBIDDEN.search(element):
        return None
    return element
