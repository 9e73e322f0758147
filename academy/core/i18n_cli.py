"""`academy i18n …`: extract, update, fill and compile the message catalogs."""
import json
import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "translations" / "messages.pot"
RU_PO = ROOT / "translations" / "ru" / "LC_MESSAGES" / "messages.po"

i18n_cli = click.Group("i18n", help="Maintain the translation catalogs.")


def _pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle, locale="ru")


def untranslated(catalog):
    """The msgids of `catalog` that are untranslated or fuzzy."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _translations(path):
    """The JSON object of `path` (msgid → Russian, or a list of forms), or a clear error with
    the place that is wrong: nothing is changed then."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
    if not isinstance(value, dict) or not all(
            isinstance(text, str) or isinstance(text, list) and all(isinstance(t, str) for t in text)
            for text in value.values()):
        raise click.ClickException(f"{path}: expected a JSON object of msgid → Russian text "
                                   "(or a list of the plural forms)")
    return value


@i18n_cli.command("update")
@click.option("--ru", "ru_file", type=click.Path(exists=True, dir_okay=False),
              help="JSON object msgid → Russian (a list of three forms for plurals).")
def update(ru_file):
    """Re-extract strings, merge them into the catalogs, apply translations, compile."""
    translations = _translations(ru_file) if ru_file else {}
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_ngettext:1,2",
             "--no-location", "--sort-output", "-o", str(POT), "academy")
    for lang in ("en", "ru"):
        po = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(POT), "-d", "translations", "-l", lang,
                     "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            _pybabel("init", "-i", str(POT), "-d", "translations", "-l", lang)
    catalog = _read(RU_PO)
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
    # Always rewritten the same way, so that an update without new translations changes nothing.
    with open(RU_PO, "wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, no_location=True)
    _pybabel("compile", "-d", "translations", "--use-fuzzy")
    missing = untranslated(_read(RU_PO))
    click.echo(f"{len(missing)} untranslated Russian message(s)")
    for msgid in missing:
        click.echo(f"  {msgid}")
