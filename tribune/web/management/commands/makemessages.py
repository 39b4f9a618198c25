"""Django's makemessages, also reading ``_t(...)``: Tribune's name for ``gettext`` in code.

``from django.utils.translation import gettext as _t`` keeps ``_`` free for
``gettext_lazy`` in forms and models; xgettext must be told the second name.
Run it as ``make messages`` (it also compiles the catalogues: see scripts/compile_messages.py).
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_t"]
    # A new string starts untranslated (test_i18n then names it), never with a guess
    # borrowed from a similar one ("Change" is not "Changed").
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
