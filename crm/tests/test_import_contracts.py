"""The house's import rules, as contracts in pyproject.toml ([tool.importlinter]): the kernel imports no
app, apps reach the features above them only through their public modules, only the suite imports the
test support, and no app imports another app's views. A new arrow that breaks one fails here."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0
