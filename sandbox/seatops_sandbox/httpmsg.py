"""Plain request/response values shared by the API modules and the HTTP plumbing.

Handlers take a Request and return a Response, so they can be exercised without sockets
and the server alone decides how bytes go on the wire.
"""

import base64
import json
import urllib.parse


class Request:
    def __init__(self, method, raw_path, headers, body=b""):
        self.method = method.upper()
        self.raw_path = raw_path
        path, _sep, query = raw_path.partition("?")
        self.path = path                      # as sent, still percent-encoded
        self.query_string = query
        self.headers = headers                # email.message.Message: case-insensitive
        self.body = body
        # Keep literal brackets (page[limit]) and encoded ones (page%5Blimit%5D) equal.
        self.query = urllib.parse.parse_qsl(query, keep_blank_values=True)

    def header(self, name, default=None):
        value = self.headers.get(name) if self.headers is not None else None
        return default if value is None else value

    def segments(self):
        """Path segments, each percent-decoded on its own so an encoded '/' stays inside one."""
        return [urllib.parse.unquote(s) for s in self.path.split("/")[1:]]

    def first(self, name):
        for key, value in self.query:
            if key == name:
                return value
        return None


class Response:
    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = dict(headers or {})
        if content_type and self.body:
            self.headers.setdefault("Content-Type", content_type)
        self.drop = False


def json_response(status, payload, content_type="application/json", headers=None):
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    resp = Response(status, body, content_type, headers)
    resp.headers.setdefault("Content-Type", content_type)
    return resp


def encode_cursor(key):
    """Opaque cursors: url-safe base64 of the last key seen, so clients cannot rely on them."""
    return base64.urlsafe_b64encode(("k:" + key).encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(token):
    """Return the key inside a cursor, or None when the token is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if not raw.startswith("k:"):
        return None
    return raw[2:]
