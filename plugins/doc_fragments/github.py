# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # Connection options of the github modules (plugins/module_utils/_github.py).
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - The REST API base URL. V(https://api.github.com) for github.com and GitHub
        Enterprise Cloud, C(https://api.SUBDOMAIN.ghe.com) for GHE.com data residency, or
        C(https://HOST/api/v3) for a server that serves GitHub's API under that path (a test
        server, a proxy). GitHub Enterprise Server itself has no Copilot seat API.
      - Must start with C(http://) or C(https://); a path prefix is kept, a trailing slash
        dropped.
    type: str
    default: https://api.github.com
  token:
    description:
      - A token of an organization owner, sent in the C(Authorization) header as a bearer token.
      - Reading seats needs a classic token with C(manage_billing:copilot) or C(read:org), or
        a fine-grained or GitHub App token with the organization permission C(GitHub Copilot
        Business) (or C(Administration)) read; assigning and reclaiming need
        C(manage_billing:copilot) or C(admin:org), or that permission with write.
        Checking that a login is an organization member before giving a seat needs
        C(read:org) (classic) or the C(Members) read permission.
      - If not set, the environment variable E(GITHUB_TOKEN) is used, then E(GH_TOKEN). Never
        logged or shown in any output.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the API. Set to V(false) only for a server you trust;
        the task then warns. Prefer O(ca_path) for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a CA bundle (PEM) used to verify TLS certificates, for example of a corporate
        proxy. Takes precedence over O(validate_certs).
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: float
    default: 30
  retries:
    description:
      - How many more times a call is sent after a connection error, HTTP 408, a 5xx, a 429
        or a 403 that is one of GitHub's rate limits (primary or secondary).
      - A rate limit is waited out as GitHub documents it - C(retry-after) when sent; else,
        with no requests left, until C(x-ratelimit-reset); else at least a minute, doubling
        each time. Each wait is at most 60 seconds and all waits of a run at most 5 minutes.
    type: int
    default: 3
requirements:
  - requests
notes:
  - Every request carries C(X-GitHub-Api-Version) V(2022-11-28) and a C(User-Agent). The
    Copilot seat API is in public preview at GitHub, so its answers may change.
  - Return values documented as returned C(always) are in every result of the module,
    failures included (nothing changed then - empty lists, no calls counted before the first).
"""
