"""Compile every catalogue tribune/locale/*/LC_MESSAGES/django.po into its .mo, in pure Python.

The compiled .mo files are committed, so a fresh clone, a wheel or the Docker image
speaks every language with no build step and no GNU gettext on the machine;
``tribune/web/tests/test_i18n.py`` fails if a .mo no longer matches its .po. Run
``make messages`` after changing any marked string (it extracts, then runs this).
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "tribune" / "locale"


def compile_all() -> list[Path]:
    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            # Untranslated and fuzzy entries are left out, as msgfmt does.
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(path.relative_to(LOCALE.parent.parent), file=sys.stderr)
