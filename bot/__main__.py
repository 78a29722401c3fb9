"""``python -m bot`` is the ``convquiz`` command."""

import sys

from bot.cli import main

sys.exit(main())
