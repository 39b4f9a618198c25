"""The ``tribune`` command: Django's manage.py plus Tribune's own verbs.

``tribune serve``, ``tribune demo`` and ``tribune audit verify`` are management
commands; ``tribune tally`` runs the voting engine's CLI without loading Django.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "tally":
        from tribune.voting.cli import main as tally

        return tally(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tribune", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
