"""``python -m tribune.voting [tally] FILE --method METHOD ...`` -- see ``cli.py``."""

import sys

from tribune.voting.cli import main

sys.exit(main(prog="python -m tribune.voting"))
