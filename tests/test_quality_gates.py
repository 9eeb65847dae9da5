"""Project gates that a reviewer would otherwise check by hand."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
                    reason="ruff is not installed")
def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    out = subprocess.run([ruff, "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_readme_starts_with_the_two_commands():
    lines = [x for x in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if x.strip()]
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert block[0].endswith("shiwan demo")
    assert block[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1] in ci


def test_every_message_key_is_defined_once():
    from shiwan.base.messages import PARTS

    seen: dict[str, str] = {}
    for part in PARTS:
        for key in part.MESSAGES:
            assert key not in seen, f"{key} in both {seen[key]} and {part.__name__}"
            seen[key] = part.__name__


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
# functions allowed to be longer, and why
LONG_FUNCTIONS = {
    "store/migrations/versions/1_baseline.py:upgrade": "the DDL of the first schema, table by table, as Alembic writes it",
}


def test_modules_and_functions_stay_small():
    import ast

    src = ROOT / "src" / "shiwan"
    too_long = []
    for path in sorted(src.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(src).as_posix()
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{rel}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES and f"{rel}:{node.name}" not in LONG_FUNCTIONS:
                    too_long.append(f"{rel}:{node.name}: {n} lines")
    assert not too_long, too_long
