#!/usr/bin/env python
"""Check a built collection tarball: what must ship is there, and nothing that must not ship.

The "must not ship" list mirrors the promises of galaxy.yml's build_ignore (the sandbox, the
benchmarks, developer tooling, test output, virtual environments, caches); a build_ignore entry
that goes missing or stops matching makes this fail instead of quietly shipping those files.
"""

from __future__ import annotations

import sys
import tarfile

REQUIRED = ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'README.md', 'LICENSE')
FORBIDDEN_DIRECTORIES = (
    'sandbox', 'bench', 'tests/output', 'tests/sandbox', 'tests/scripts',
    '.venv', '.git', '.ci', '.cache', '.ansible', '.pytest_cache', '.hypothesis', '__pycache__',
    'extensions/molecule/.cache',
)
FORBIDDEN_FILES = ('Makefile', 'pytest.ini', '.gitignore', '.ansible-lint', '.yamllint', 'changelogs/.plugin-cache.yaml')
FORBIDDEN_SUFFIXES = ('.pyc', '.tar.gz')


def problems(names: list[str]) -> list[str]:
    """Every reason the listing is wrong, one line each."""
    found = []
    listed = set(names)
    for required in REQUIRED:
        if required not in listed:
            found.append('missing: %s' % required)
    for name in names:
        parts = name.split('/')
        prefixes = {'/'.join(parts[:index]) for index in range(1, len(parts) + 1)}
        directory_hit = sorted(prefix for prefix in prefixes for forbidden in FORBIDDEN_DIRECTORIES
                               if prefix == forbidden or prefix.endswith('/' + forbidden))
        if directory_hit or name in FORBIDDEN_FILES or name.endswith(FORBIDDEN_SUFFIXES):
            found.append('must not ship: %s' % name)
    return found


def main() -> int:
    """Command line entry point."""
    if len(sys.argv) != 2:
        sys.stderr.write('usage: check_build.py seatops-seats-VERSION.tar.gz\n')
        return 2
    with tarfile.open(sys.argv[1]) as tarball:
        names = [member.name.removeprefix('./').rstrip('/') for member in tarball.getmembers()]
    names = [name for name in names if name]
    found = problems(names)
    for line in found:
        print('check_build: %s' % line)
    if found:
        return 1
    print('check_build: %s: %d entries, none excluded by build_ignore, required files present'
          % (sys.argv[1], len(names)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
