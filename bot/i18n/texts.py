"""Every sentence a user reads, keyed and parameterised, in gettext catalogs.

Logic asks for ``t("key", lang, **params)``; it never builds user-facing sentences
itself, so a language is added by adding a catalog, not by touching logic. The catalogs
are ``bot/locale/<lang>/LC_MESSAGES/convquiz.po`` (msgid: the key; msgstr: the text),
read on first use and cached; no compiled ``.mo`` files, no build step. The bot reads
them with ``read_texts`` (a reader of the PO subset Babel writes for us); the tooling
below reads and writes them with Babel, which a running bot never loads (1 MiB). A key
missing from a language falls back to English (the tests prove none is missing).

Placeholders use ``str.format`` on *our own* strings only: admin-written text never
reaches ``str.format`` (templates render their own placeholders, see ``bot.engine.templates``).

For translators, ``python -m bot.i18n.texts``:

- ``check``: every catalog has the English keys, no empty text, the same placeholders;
- ``update``: adds new English keys to the other catalogs (empty, with the English text
  as a comment), drops removed ones and refreshes the comments;
- ``show KEY``: the key's text in every language.
"""

from __future__ import annotations

import functools
import io
import re
import string
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "catalog",
    "check",
    "language_for_locale",
    "language_named",
    "placeholders",
    "t",
]

DOMAIN = "convquiz"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "ja")

# What people type for a language (``!quizconfig language ...``), folded to lower case.
_LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "英語": "en",
    "ja": "ja",
    "jp": "ja",
    "japanese": "ja",
    "日本語": "ja",
}


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(lang: str) -> Catalog:
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as file:
        return read_po(file, domain=DOMAIN)


# The C escapes Babel writes and reads; any other backslash stands for itself.
_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPED = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unquote(quoted: str) -> str:
    """One quoted piece of a PO string, its C escapes undone (as Babel undoes them)."""
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise ValueError(f"not a quoted PO string: {quoted[:40]!r}")
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m[1], m[1]), quoted[1:-1])


def read_texts(po_text: str) -> dict[str, str]:
    """msgid -> msgstr of a PO catalog as ours are written: comments (obsolete entries
    too) skipped; a context or plural forms, which ours never use, are refused."""
    texts: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    continuing: list[str] | None = None  # the string that a quoted line continues
    for number, raw in enumerate(po_text.splitlines(), 1):
        line = raw.strip()
        if line.startswith('"') and continuing is not None:
            continuing.append(_unquote(line))
        elif line.startswith("msgid "):
            if msgid is not None and msgstr is not None:
                texts["".join(msgid)] = "".join(msgstr)
            msgid, msgstr = [_unquote(line[6:])], None
            continuing = msgid
        elif line.startswith("msgstr ") and msgid is not None and msgstr is None:
            msgstr = [_unquote(line[7:])]
            continuing = msgstr
        elif not line or line.startswith("#"):
            continuing = None
        else:
            raise ValueError(f"line {number}: not in the PO subset convquiz reads: {line[:40]!r}")
    if msgid is not None and msgstr is not None:
        texts["".join(msgid)] = "".join(msgstr)
    return texts


@functools.cache
def catalog(lang: str) -> Mapping[str, str]:
    """The texts of ``lang`` by key (untranslated, empty entries and the header left
    out)."""
    texts = read_texts(catalog_path(lang).read_text(encoding="utf-8"))
    return MappingProxyType({key: text for key, text in texts.items() if key and text})


# The hot path of ``t``: question generation asks for dozens of texts per question, so
# each language's texts are a plain dict, looked up without a call.
_loaded: dict[str, dict[str, str]] = {}


def _texts(lang: str) -> dict[str, str]:
    found = _loaded.get(lang)
    if found is None:
        found = dict(catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE))
        _loaded[lang] = found
    return found


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (English when missing), with ``params`` filled in.

    An unknown key raises ``KeyError``."""
    template = (_loaded.get(lang) or _texts(lang)).get(key)
    if template is None:
        template = _texts(DEFAULT_LANGUAGE)[key]
    return template.format(**params) if params else template


def has_text(key: str) -> bool:
    return key in _texts(DEFAULT_LANGUAGE)


def placeholders(template: str) -> set[str]:
    """The names a catalog entry expects, for checking catalogs against each other."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def language_for_locale(locale: object) -> str:
    """Our language for a Discord or system locale: ``ja``, ``ja-JP``, ``ja_JP.UTF-8`` → ja;
    everything else (``en-US``, ``fr``, none) → en."""
    text = str(locale or "").strip().lower().replace("_", "-")
    base = text.split(".")[0].split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def language_named(word: str) -> str | None:
    """The language code a person typed (``ja``, ``Japanese``, ``日本語``…), or None."""
    return _LANGUAGE_NAMES.get(word.strip().lower())


def __getattr__(name: str) -> object:
    # ``EN`` and ``CATALOGS`` are read on first use, like every catalog.
    if name == "EN":
        return catalog(DEFAULT_LANGUAGE)
    if name == "CATALOGS":
        return {lang: catalog(lang) for lang in LANGUAGES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- for translators: python -m bot.i18n.texts check | update | show KEY ----------------------


def _parses(template: str) -> bool:
    try:
        placeholders(template)
    except ValueError:
        return False
    return True


def check(languages: Sequence[str] = LANGUAGES) -> list[str]:
    """Problems of the catalogs, one line each (no problems: an empty list)."""
    problems: list[str] = []
    english = {m.id: m.string for m in _read(DEFAULT_LANGUAGE) if isinstance(m.id, str) and m.id}
    for key, text in english.items():
        if not isinstance(text, str) or not text:
            problems.append(f"{DEFAULT_LANGUAGE}: {key} has no text")
        elif not _parses(text):
            problems.append(f"{DEFAULT_LANGUAGE}: {key} is not a valid format string")
    for lang in languages:
        if lang == DEFAULT_LANGUAGE:
            continue
        other = {m.id: m.string for m in _read(lang) if isinstance(m.id, str) and m.id}
        for key in english.keys() - other.keys():
            problems.append(f"{lang}: {key} is missing")
        for key in other.keys() - english.keys():
            problems.append(f"{lang}: {key} is not an English key (removed or misspelt?)")
        for key in english.keys() & other.keys():
            text, source = other[key], english[key]
            if not isinstance(text, str) or not text:
                problems.append(f"{lang}: {key} is not translated")
            elif not _parses(text):
                problems.append(f"{lang}: {key} is not a valid format string")
            elif (
                isinstance(source, str)
                and _parses(source)
                and placeholders(text) != placeholders(source)
            ):
                problems.append(
                    f"{lang}: {key} has placeholders {sorted(placeholders(text))}, "
                    f"English has {sorted(placeholders(source))}"
                )
    return sorted(problems)


def _write(lang: str, texts: Catalog) -> None:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, texts, width=100, no_location=True)
    catalog_path(lang).write_bytes(buffer.getvalue())


def update(lang: str) -> tuple[list[str], list[str]]:
    """Bring ``lang``'s catalog in line with the English one: (added keys, dropped keys)."""
    from babel.messages.catalog import Catalog

    english = _read(DEFAULT_LANGUAGE)
    old = _read(lang)
    new = Catalog(locale=lang, domain=DOMAIN, header_comment=old.header_comment, fuzzy=False)
    new.mime_headers = old.mime_headers
    added: list[str] = []
    for source in english:
        key = source.id
        if not isinstance(key, str) or not key or not isinstance(source.string, str):
            continue
        previous = old.get(key)
        text = previous.string if previous is not None else ""
        if previous is None:
            added.append(key)
        message = new.add(key, text, auto_comments=source.string.splitlines())
        if _parses(source.string) and placeholders(source.string):
            message.flags.add("python-brace-format")
    dropped = [m.id for m in old if isinstance(m.id, str) and m.id and english.get(m.id) is None]
    _write(lang, new)
    catalog.cache_clear()
    _loaded.clear()
    return added, dropped


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    if command == "check":
        problems = check()
        for line in problems:
            print(line)
        if problems:
            return 1
        counts = ", ".join(f"{lang} {len(catalog(lang))}" for lang in LANGUAGES)
        print(f"catalogs agree: {counts} keys, same placeholders")
        return 0
    if command == "update":
        for lang in LANGUAGES:
            if lang == DEFAULT_LANGUAGE:
                continue
            added, dropped = update(lang)
            print(f"{lang}: {len(added)} new (to translate), {len(dropped)} dropped")
            for key in added:
                print(f"  + {key}")
            for key in dropped:
                print(f"  - {key}")
        return 0
    if command == "show" and len(args) == 2:
        for lang in LANGUAGES:
            print(f"[{lang}] {catalog(lang).get(args[1], '(missing)')}")
        return 0
    print("usage: python -m bot.i18n.texts check | update | show KEY", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
