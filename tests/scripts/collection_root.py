#!/usr/bin/env python
"""Give tools the ansible_collections/seatops/seats/ layout they expect.

``link``: make ``tests/output/.collection-root/ansible_collections/seatops/seats`` a symlink
to the repository root (idempotent) and print the directory that contains
``ansible_collections``. Edits are live, which suits pytest and ansible-playbook, but a tool
that walks the whole tree (ansible-test) would go round the loop the link makes.

``copy DEST``: make ``DEST/ansible_collections/seatops/seats`` an exact copy of the files git
would consider (tracked plus untracked-but-not-ignored, as they are in the work tree now), and
print the collection directory. Stale files from an earlier copy are removed; unchanged files
keep their timestamps so ansible-test's caches stay valid. The copy gets a git repository of
its own (nothing committed): ansible-test lists content with git from the nearest repository
upwards, and without one it would find this checkout, in which the copy is ignored.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

NAMESPACE = 'seatops'
NAME = 'seats'
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINK_ROOT = os.path.join(REPO_ROOT, 'tests', 'output', '.collection-root')


def link() -> str:
    """Create (or repair) the symlinked layout and return the collections path."""
    parent = os.path.join(LINK_ROOT, 'ansible_collections', NAMESPACE)
    target = os.path.join(parent, NAME)
    # Relative, so the layout survives the repository being moved or cloned elsewhere.
    relative = os.path.relpath(REPO_ROOT, parent)
    os.makedirs(parent, exist_ok=True)
    if os.path.islink(target) and os.readlink(target) == relative:
        return LINK_ROOT
    if os.path.lexists(target):
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        else:
            os.unlink(target)
    os.symlink(relative, target)
    return LINK_ROOT


def git_visible_files() -> list[str]:
    """Tracked and untracked-but-not-ignored files that exist in the work tree."""
    output = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=REPO_ROOT, check=True, capture_output=True,
    ).stdout.decode()
    names = sorted({name for name in output.split('\0') if name})
    # A tracked file deleted in the work tree is still listed by --cached.
    return [name for name in names if os.path.lexists(os.path.join(REPO_ROOT, name))]


def copy(dest: str) -> str:
    """Mirror the git-visible files into DEST/ansible_collections/NAMESPACE/NAME."""
    collection = os.path.join(os.path.abspath(dest), 'ansible_collections', NAMESPACE, NAME)
    wanted = set(git_visible_files())
    for name in wanted:
        source = os.path.join(REPO_ROOT, name)
        target = os.path.join(collection, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(source):
            if os.path.lexists(target):
                os.unlink(target)
            os.symlink(os.readlink(source), target)
        elif not (os.path.isfile(target) and not os.path.islink(target)
                  and filecmp.cmp(source, target, shallow=False)):
            if os.path.lexists(target):
                os.unlink(target)
            shutil.copy2(source, target)
    # Remove what an earlier copy had and the work tree no longer has; keep the copy's git
    # repository and tests/output (ansible-test writes its results there).
    kept = {'.git', os.path.join('tests', 'output')}
    emptied = set()
    for directory, subdirs, files in os.walk(collection, topdown=True):
        relative_dir = os.path.relpath(directory, collection)
        if relative_dir in kept:
            subdirs[:] = []
            continue
        for file_name in files:
            relative = os.path.normpath(os.path.join(relative_dir, file_name))
            if relative not in wanted:
                os.unlink(os.path.join(directory, file_name))
                emptied.add(directory)
    for directory in sorted(emptied, key=len, reverse=True):
        while directory != collection and not os.listdir(directory):
            os.rmdir(directory)
            directory = os.path.dirname(directory)
    if not os.path.isdir(os.path.join(collection, '.git')):
        subprocess.run(['git', 'init', '--quiet', collection], check=True)
    return collection


def main() -> int:
    """Command line entry point."""
    if len(sys.argv) == 2 and sys.argv[1] == 'link':
        print(link())
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == 'copy':
        print(copy(sys.argv[2]))
        return 0
    sys.stderr.write('usage: collection_root.py link | copy DEST\n')
    return 2


if __name__ == '__main__':
    sys.exit(main())
