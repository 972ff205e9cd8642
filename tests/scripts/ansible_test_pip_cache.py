#!/usr/bin/env python
"""Install get_pip_offline.py where ansible-test looks for its cached pip bootstrap script.

The file name carries the pip version ansible-test pins (``get_pip_24_2.py`` for ansible-core
2.19), so it is read from the installed ansible-test rather than written down here: a bump
of ansible-core keeps working. An existing cached script (a real get-pip.py, or ours) is left
alone.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import ansible_test

HERE = os.path.dirname(os.path.abspath(__file__))


def pinned_pip_versions() -> set[str]:
    """Every pip version ansible-test's python_requirements.py may ask for."""
    source_path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(source_path, encoding='utf-8') as source:
        versions = set(re.findall(r"""\bpip\s*=\s*['"]([0-9][0-9.]*)['"]""", source.read()))
    if not versions:
        raise SystemExit('could not find the pip version ansible-test pins in %s' % source_path)
    return versions


def main() -> int:
    """Place the stand-in under each name ansible-test may look for."""
    cache_dir = os.path.expanduser(os.path.join('~', '.ansible', 'test', 'cache'))
    os.makedirs(cache_dir, exist_ok=True)
    for version in sorted(pinned_pip_versions()):
        cache_path = os.path.join(cache_dir, 'get_pip_%s.py' % version.replace('.', '_'))
        if os.path.exists(cache_path):
            print('ansible-test pip bootstrap: using existing %s' % os.path.basename(cache_path))
            continue
        shutil.copyfile(os.path.join(HERE, 'get_pip_offline.py'), cache_path)
        print('ansible-test pip bootstrap: installed offline get-pip as %s' % os.path.basename(cache_path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
