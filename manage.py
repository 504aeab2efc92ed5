#!/usr/bin/env python
"""Django's manage.py; the ``motcua`` console command does the same once the package is installed."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from motcua.cli import main

if __name__ == "__main__":
    main()
