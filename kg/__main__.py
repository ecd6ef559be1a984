"""``python -m kg`` runs the ``vlmskg`` command."""

import sys

from kg.cli import main

sys.exit(main())
