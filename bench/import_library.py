"""Benchmark: `courses check` and `courses import` of a library against a same-run baseline.

The baseline reads every file of the library and loads its YAML (course.yml, glossary.yml,
each module's front matter) with the same safe loader: the least any checker must do. The checker
and the importer are reported as ratios to it, so the numbers mean the same on any machine.

    .venv/bin/python bench/import_library.py [PATH] [--repeat N]

PATH defaults to courses/. The import runs on fresh copies of a migrated SQLite database.
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from academy import create_app  # noqa: E402
from academy.courses.parser import parse_library  # noqa: E402
from academy.courses.services import import_library  # noqa: E402
from academy.courses.sourcefiles import SAFE_LOADER  # noqa: E402
from academy.extensions import db  # noqa: E402


def baseline(path, markdown=False):
    """Read every library file and load its YAML with the same safe loader; with `markdown`,
    also parse each module body once with markdown-it (the libraries' share of the work)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    for file in sorted(Path(path).rglob("*")):
        if file.suffix == ".yml":
            yaml.load(file.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        elif file.suffix == ".md" and file.name in ("en.md", "ru.md"):
            text = file.read_text(encoding="utf-8")
            if text.startswith("---\n"):
                end = text.find("\n---", 4)
                yaml.load(text[4:end], Loader=SAFE_LOADER)
                if markdown:
                    parser.parse(text[end + 4:])


def timed(function, repeat):
    """The median wall time of `repeat` calls of `function`."""
    function()  # warm up: imports, caches, the file system's page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def migrated_database(folder):
    """A SQLite database built by the real migrations."""
    from flask_migrate import upgrade

    path = folder / "template.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def import_times(path, template, folder, repeat):
    """Median times of a first import into an empty database and of an unchanged re-import."""
    first, again = [], []
    for run in range(repeat):
        database = folder / f"run-{run}.db"
        shutil.copy(template, database)
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}"})
        with app.app_context():
            start = time.perf_counter()
            import_library(path)
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            summary = import_library(path)
            again.append(time.perf_counter() - start)
            assert not summary.changed, "re-importing unchanged files changed something"
            db.engine.dispose()
    return statistics.median(first), statistics.median(again)


def main():
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "courses"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    library, problems = parse_library(args.path)
    files = sum(1 for file in Path(args.path).rglob("*") if file.suffix in (".md", ".yml"))
    megabytes = sum(file.stat().st_size for file in Path(args.path).rglob("*")
                    if file.suffix in (".md", ".yml")) / 1e6
    modules = sum(len(course.modules) for course in library.courses)
    print(f"library: {args.path} — {len(library.courses)} courses, {modules} modules "
          f"(final pools included), {files} files, {megabytes:.2f} MB")
    base = timed(lambda: baseline(args.path), args.repeat)
    with_markdown = timed(lambda: baseline(args.path, markdown=True), args.repeat)
    check = timed(lambda: parse_library(args.path), args.repeat)
    rows = [("baseline: read + YAML safe load", base),
            ("read + YAML + one markdown-it parse", with_markdown),
            ("courses check (parse_library)", check)]
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        print(f"{len(errors)} error(s) in the library: the import is not measured "
              f"(first: {errors[0]})")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            first, again = import_times(args.path, migrated_database(folder), folder,
                                        args.repeat)
        rows += [("courses import, empty database", first),
                 ("courses import, unchanged (no-op)", again)]
    print(f"{'step':40} {'median s':>10} {'× baseline':>11} {'× YAML+Markdown':>16}")
    for name, seconds in rows:
        print(f"{name:40} {seconds:10.4f} {seconds / base:11.1f} "
              f"{seconds / with_markdown:16.2f}")


if __name__ == "__main__":
    main()
