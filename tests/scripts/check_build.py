#!/usr/bin/env python
"""Check a built collection tarball: what must ship is there, and nothing that must not ship.

The "must not ship" list mirrors the promises of galaxy.yml's manifest (an allow-list): not the
sandbox, the benchmarks, developer tooling, test output, virtual environments or caches, and
no runtime output (reconcile reports, offboarding records, journals, ``*.partial`` files),
which holds people's names. In a git checkout, every shipped file must also be a file of the
checkout (tracked, or new and not ignored): a file git ignores is output of some run, so a
build made after ``make demo`` or an offboarding run fails here instead of shipping it.

Usage: check_build.py seatops-seats-VERSION.tar.gz [REPOSITORY]   (default: this checkout)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUIRED = ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'README.md', 'LICENSE')
# Written by ansible-galaxy itself, never part of the checkout.
BUILD_FILES = ('MANIFEST.json', 'FILES.json')
FORBIDDEN_DIRECTORIES = (
    'sandbox', 'bench', 'tests/output', 'tests/sandbox', 'tests/scripts',
    '.venv', '.git', '.ci', '.cache', '.ansible', '.pytest_cache', '.hypothesis', '__pycache__',
    'extensions/molecule/.cache',
    # Where runs write their output (roles' defaults, playbooks/*.yml, tests/scripts/demo.py).
    'reports', 'offboarding-records',
)
FORBIDDEN_FILES = ('Makefile', 'pytest.ini', '.gitignore', '.ansible-lint', '.yamllint', 'changelogs/.plugin-cache.yaml')
FORBIDDEN_SUFFIXES = ('.pyc', '.tar.gz', '.partial', '.jsonl')


def checkout_files(repo: str) -> set[str] | None:
    """Files of the git checkout at ``repo``: tracked, or untracked and not ignored. None when
    ``repo`` is not a git work tree (a source export), so there is nothing to compare with."""
    try:
        listing = subprocess.run(['git', '-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return set(name for name in listing.decode('utf-8', 'surrogateescape').split('\0') if name)


def problems(names: list[str], files: list[str] | None = None, known: set[str] | None = None) -> list[str]:
    """Every reason the listing is wrong, one line each.

    ``names``: every entry of the tarball; ``files``: its regular files; ``known``: the files of
    the checkout it was built from (see checkout_files), or None to skip that comparison."""
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
    if known is not None:
        for name in files or []:
            if name not in BUILD_FILES and name not in known:
                found.append('must not ship: %s is not a file of the checkout (git ignores it: output of a run?)' % name)
    return found


def tarball_listing(path: str) -> tuple[list[str], list[str]]:
    """(every entry, the regular files) of a collection tarball, as paths inside the collection."""
    with tarfile.open(path) as tarball:
        members = [(member.name.removeprefix('./').rstrip('/'), member.isfile()) for member in tarball.getmembers()]
    names = [name for name, _is_file in members if name]
    return names, [name for name, is_file in members if name and is_file]


def main() -> int:
    """Command line entry point."""
    if len(sys.argv) not in (2, 3):
        sys.stderr.write('usage: check_build.py seatops-seats-VERSION.tar.gz [REPOSITORY]\n')
        return 2
    names, files = tarball_listing(sys.argv[1])
    known = checkout_files(sys.argv[2] if len(sys.argv) == 3 else REPO_ROOT)
    found = problems(names, files, known)
    for line in found:
        print('check_build: %s' % line)
    if found:
        return 1
    compared = 'every file a file of the checkout' if known is not None else 'not a git checkout, not compared with git'
    print('check_build: %s: %d entries, none excluded by the manifest, required files present, %s'
          % (sys.argv[1], len(names), compared))
    return 0


if __name__ == '__main__':
    sys.exit(main())
