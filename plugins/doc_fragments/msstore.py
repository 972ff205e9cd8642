# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # Connection options of the msstore modules (plugins/module_utils/_msstore.py).
    DOCUMENTATION = r"""
options:
  tenant_id:
    description:
      - The Azure AD tenant of the organisation, as a tenant GUID or a verified domain.
      - If not set, the environment variable E(AZURE_TENANT_ID) is used.
      - Required unless O(access_token) is given.
    type: str
  client_id:
    description:
      - The application (client) id of the app registration used as Store management tool.
      - The app must be activated as a management tool in the Store for Business portal
        (Manage, Settings, Distribute, Management tools), or every Store call fails with
        HTTP 403.
      - If not set, the environment variable E(AZURE_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - A client secret of the app registration. The module gets a token with the
        client credentials flow (v2 endpoint, scope C(https://onestore.microsoft.com/.default)),
        refreshes it before it expires, and once more if the Store answers HTTP 401.
      - If neither O(client_secret) nor O(access_token) is set, the environment variable
        E(AZURE_CLIENT_SECRET) is used. When O(access_token) is set, E(AZURE_CLIENT_SECRET)
        is ignored.
      - Mutually exclusive with O(access_token). Never logged or shown in any output.
    type: str
  access_token:
    description:
      - A bearer token for C(https://onestore.microsoft.com) obtained by other means.
      - The module uses it as is and cannot refresh it; a Store answer of HTTP 401 (expired
        token) fails the task.
      - Mutually exclusive with O(client_secret). Never logged or shown in any output.
    type: str
  auth_url:
    description:
      - The Azure AD authority the token is requested from; the module posts to
        C({auth_url}/{tenant_id}/oauth2/v2.0/token).
      - Change it for sovereign clouds (for example V(https://login.microsoftonline.us)) or
        to point at a test server.
    type: str
    default: https://login.microsoftonline.com
  api_url:
    description:
      - The base URL of the Store for Business management API, including the C(/V1) version.
    type: str
    default: https://bspmts.mp.microsoft.com/V1
  validate_certs:
    description:
      - Verify TLS certificates of O(api_url) and O(auth_url). Set to V(false) only for a
        server you trust; the task then warns. Prefer O(ca_path) for a private CA.
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
    type: int
    default: 30
  retries:
    description:
      - How many more times a call is sent after a connection error, HTTP 408, a 5xx or a
        429 (waiting as C(Retry-After) asks). Retrying seat writes is safe, because an already
        assigned seat and a seat already reclaimed both count as done.
    type: int
    default: 3
requirements:
  - requests
notes:
  - Microsoft retired the Store for Business; the API may not be reachable in every tenant.
    Point O(api_url) and O(auth_url) at a compatible server to test playbooks.
  - Return values documented as returned C(always) are in every result of the module,
    failures included (nothing changed then - empty lists, no calls counted before the first).
    Only a task that Ansible refuses before the module starts (a required option missing, a
    value outside its choices) has none of them.
"""
