"""pytest setup shared by every test layer (unit, sandbox, integration).

Where the collection is found: tests/collection_layout.py links this checkout as
``ansible_collections/seatops/seats`` and honours ``SEATOPS_COLLECTIONS_PATH`` (a directory
holding that layout). ``make test`` (tests/scripts/run_all.sh) exports it, pointing at
``tests/output/.collection-root``, together with ``ANSIBLE_COLLECTIONS_PATH``.
"""

from __future__ import annotations

try:
    from hypothesis import settings
except ImportError:
    pass
else:
    # Machines here are small and shared (CI, and a developer's with other jobs running): an
    # example that runs slowly is not a failure, so no property test has a deadline.
    settings.register_profile('shared-machine', deadline=None)
    settings.load_profile('shared-machine')
