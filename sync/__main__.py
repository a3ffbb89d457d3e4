"""`python -m sync`: the operator CLI (`cluedin-purview-sync`)."""

import sys

from sync.cli.main import main

sys.exit(main())
