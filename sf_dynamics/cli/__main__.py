"""``python -m sf_dynamics.cli``: the ``sf-dynamics`` command."""

import sys

from . import main

__all__ = []

if __name__ == "__main__":
    sys.exit(main())
