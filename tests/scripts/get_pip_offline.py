#!/usr/bin/env python
"""Stand-in for get-pip.py, for ansible-test's pip bootstrap.

ansible-test creates each of its virtual environments without pip and then runs a cached
get-pip.py (``~/.ansible/test/cache/get_pip_<version>.py``) that it otherwise downloads from
a host outside the package registries, which this project's machines and CI cannot reach.
run_all.sh installs this file under that name. It takes get-pip's arguments
(pip options, requirement specifiers such as ``pip==24.2``, ``--no-setuptools``,
``--no-wheel``), seeds pip from the interpreter's bundled ``ensurepip`` and then lets that pip
install the requested versions from the package index.
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel', '--no-pip')


def main() -> None:
    """Bootstrap pip, then install what get-pip.py would have installed."""
    pip_arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + pip_arguments)
    if '--no-setuptools' in sys.argv[1:]:
        # ensurepip bundles setuptools on older Pythons; get-pip.py would not have installed it.
        subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools'])


if __name__ == '__main__':
    main()
