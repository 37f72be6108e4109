"""Generated parts of the documentation (``greenlaw docs``): blocks between marker comments, rewritten from code.

``services/cases/README.md`` holds three: its routes with the roles each admits (``routes``), read from the app; the
case procedure (``stages``), made from the stage machine; and the worked example of a whole case (``whole-case``),
the text of ``docs/examples/whole_case.py`` that a test runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer

ROOT = Path(__file__).resolve().parents[2]
CASES_README = ROOT / "services" / "cases" / "README.md"
WHOLE_CASE = ROOT / "docs" / "examples" / "whole_case.py"


def _marker(name: str, end: str) -> str:
    return f"<!-- {name}:{end} -->"


def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with what stands between ``<!-- name:begin -->`` and ``<!-- name:end -->`` replaced."""
    begin, end = _marker(name, "begin"), _marker(name, "end")
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"expected one {begin} … {end} block")
    return pattern.sub(lambda _: f"{begin}\n{content}\n{end}", text)


def block(text: str, name: str) -> str:
    """What stands between the markers (without them)."""
    begin, end = _marker(name, "begin"), _marker(name, "end")
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def procedure_table() -> str:
    """The case procedure, from the stage machine and the cases app's routes (default settings, nothing runs)."""
    from services.cases.handlers.transitions import VIA_DOCUMENT
    from services.catalogue import service
    from services.ops.openapi import default_app
    from services.ops.procedure import markdown, rows

    return markdown(rows(default_app(service("cases")), dict(VIA_DOCUMENT)))


def routes_table() -> str:
    """The cases routes grouped by their OpenAPI tag, each with the roles it admits and its first sentence."""
    from services.catalogue import service
    from services.ops.openapi import default_app
    from services.ops.procedure import route_roles

    app = default_app(service("cases"))
    roles = route_roles(app)
    groups: dict[str, list[str]] = {}
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            key = f"{method.upper()} {path}"
            if key not in roles or not path.startswith("/api/"):
                continue  # probes and metrics are not reached through the gateway
            said = (operation.get("description") or operation.get("summary") or "").split("\n\n")[0]
            said = " ".join(said.split())
            line = f"| `{key}` | {', '.join(roles[key]) or 'any staff'} | {said.replace('|', '/')} |"
            groups.setdefault(operation.get("tags", ["other"])[0], []).append(line)
    header = "| Route | Roles (admin: all) | What it does |\n|---|---|---|"
    return "\n\n".join(f"**{tag}**\n\n{header}\n" + "\n".join(lines) for tag, lines in groups.items())


def whole_case_example() -> str:
    return "```python\n" + WHOLE_CASE.read_text(encoding="utf-8").rstrip("\n") + "\n```"


def render_cases_readme(text: str) -> str:
    text = replace_block(text, "routes", routes_table())
    text = replace_block(text, "stages", procedure_table())
    return replace_block(text, "whole-case", whole_case_example())


def docs_command() -> None:
    """Rewrite the generated blocks of services/cases/README.md: its routes, the procedure, the worked example."""
    text = CASES_README.read_text(encoding="utf-8")
    CASES_README.write_text(render_cases_readme(text), encoding="utf-8")
    typer.echo(str(CASES_README))
