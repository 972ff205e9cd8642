"""pytest setup shared by every test layer (unit, sandbox, integration).

Where the collection is found: tests/collection_layout.py links this checkout as
``ansible_collections/seatops/seats`` and honours ``SEATOPS_COLLECTIONS_PATH`` (a directory
holding that layout). ``make test`` (tests/scripts/run_all.sh) exports it, pointing at
``tests/output/.collection-root``, together with ``ANSIBLE_COLLECTIONS_PATH``.
"""

from __future__ import annotations

import os

if os.environ.get('CI'):
    try:
        from hypothesis import settings
    except ImportError:
        pass
    else:
        # CI machines are small and shared; an example that runs slowly there is not a failure.
        settings.register_profile('ci', deadline=None)
        settings.load_profile('ci')
