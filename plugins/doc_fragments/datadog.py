# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # Connection options of the datadog modules (plugins/module_utils/_datadog.py).
    DOCUMENTATION = r"""
options:
  site:
    description:
      - The Datadog site of the organisation; the API base URL is C(https://api.<site>).
      - If not set, the environment variable E(DD_SITE) is used, and then V(datadoghq.com).
      - Ignored when O(api_url) is set.
    type: str
    choices:
      - datadoghq.com
      - us3.datadoghq.com
      - us5.datadoghq.com
      - datadoghq.eu
      - ap1.datadoghq.com
      - ap2.datadoghq.com
      - ddog-gov.com
      - us2.ddog-gov.com
      - uk1.datadoghq.com
    default: datadoghq.com
  api_url:
    description:
      - The API base URL, for example V(http://127.0.0.1:8080) for a test server or a proxy.
        Overrides O(site). Must start with C(http://) or C(https://).
    type: str
  api_key:
    description:
      - The Datadog API key of the organisation, sent as C(DD-API-KEY).
      - If not set, the environment variable E(DD_API_KEY) is used. Never logged or shown
        in any output.
    type: str
  app_key:
    description:
      - The Datadog application key, sent as C(DD-APPLICATION-KEY). It acts with the
        permissions of the user or service account owning it. Reading seat holders needs
        C(billing_read); assigning and reclaiming seats need C(billing_edit); finding users
        by email, handle or UUID needs C(user_access_read).
      - If not set, the environment variable E(DD_APP_KEY) is used. Never logged or shown
        in any output.
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
      - How many more times a call is sent after a connection error, HTTP 408, a 5xx or a
        429. On 429 the module waits as C(X-RateLimit-Reset) asks (bounded), otherwise it
        backs off exponentially. It never retries 400, 401, 403, 404 or 422.
      - A retried seat write is safe (assigning a holder or reclaiming a non-holder is a
        no-op); after one, the module reads the holders again before it reports outcomes.
    type: int
    default: 3
requirements:
  - requests
notes:
  - Every request carries the header C(X-Datadog-Managed-By) with value C(iac), which tells
    Datadog the traffic comes from infrastructure as code.
  - Return values documented as returned C(always) are in every result of the module,
    failures included (nothing changed then - empty lists, no calls counted before the first).
    Only a task that Ansible refuses before the module starts (a required option missing, a
    value outside its choices) has none of them.
"""
