"""docs/security.md and docs/deploy.md point at things that exist."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_named_in_the_security_document_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    cited, missing = 0, []
    for line in text.splitlines():
        current = None
        for file, name in re.findall(r"`?(test_\w+\.py)?::(test_\w+)", line):
            current = file or current
            assert current, f"a test without its file: {name}"
            cited += 1
            if not re.search(rf"^def {name}\(", (ROOT / "tests" / current).read_text(
                    encoding="utf-8"), re.MULTILINE):
                missing.append(f"{current}::{name}")
    assert cited > 60 and missing == []


def test_the_files_the_deployment_guide_names_exist():
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    named = {name for name in re.findall(r"deploy/[\w./*-]+\w", text) if "*" not in name}
    assert {"deploy/backup.sh", "deploy/gunicorn.conf.py", "deploy/nginx/academy.conf"} <= named
    assert [name for name in named if not (ROOT / name).exists()] == []
