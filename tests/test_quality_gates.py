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
