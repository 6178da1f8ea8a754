"""The house's import rules, as contracts in pyproject.toml ([tool.importlinter]): the kernel imports no
app, apps reach the features above them only through their public modules, only the suite imports the
test support, and no app imports another app's views. A new arrow that breaks one fails here."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    # A process of its own: in this one, Twisted's interface declarations trip import-linter's option check.
    run = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
