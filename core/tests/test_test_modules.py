"""How the tests share what they need: factories, dataset and helper modules, and the
fixtures of conftest.py. A test module imports none of the others, so that each can be
read, moved or deleted on its own."""

import ast
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_no_test_module_imports_another():
    test_modules = [
        path for path in PROJECT.glob("*/**/tests/**/test_*.py") if ".venv" not in path.parts
    ]
    assert len(test_modules) > 10, "the test modules were not found"
    offenders = {
        str(path.relative_to(PROJECT)): sorted(
            module
            for module in _imported_modules(path)
            if module.rsplit(".", 1)[-1].startswith("test_")
        )
        for path in test_modules
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
