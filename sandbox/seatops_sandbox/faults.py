"""Injected trouble: fault rules, latency and rate-limit budgets.

Everything random here draws from one seeded generator so that a failing test run can be
replayed exactly with the same ``seed`` / ``--fault-seed``.
"""

import math
import random
import threading
import time


class ConfigError(ValueError):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_rate_limit(value, field):
    """Accept {"limit": N, "period": S}, "N/S" or None."""
    if value is None:
        return None
    if isinstance(value, str):
        limit, sep, period = value.partition("/")
        if not sep:
            raise ConfigError(field, "must look like N/S, e.g. 600/60")
        try:
            value = {"limit": int(limit), "period": float(period)}
        except ValueError:
            raise ConfigError(field, "must look like N/S, e.g. 600/60") from None
    if not isinstance(value, dict):
        raise ConfigError(field, 'must be {"limit": N, "period": S} or null')
    limit, period = value.get("limit"), value.get("period")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigError(field + ".limit", "must be a positive integer")
    if isinstance(period, bool) or not isinstance(period, (int, float)) or period <= 0:
        raise ConfigError(field + ".period", "must be a positive number of seconds")
    if float(period).is_integer():
        period = int(period)
    return {"limit": limit, "period": period}


class RateBudget:
    """A fixed, calendar-aligned window: N requests per period, like Datadog's limits."""

    def __init__(self, limit, period, name):
        self.limit = limit
        self.period = period
        self.name = name
        self._window = None
        self._used = 0
        self._lock = threading.Lock()

    def _roll(self, now):
        window = math.floor(now / self.period)
        if window != self._window:
            self._window = window
            self._used = 0

    def _reset_in(self, now):
        return max(1, math.ceil((self._window + 1) * self.period - now))

    def take(self, now=None):
        """Spend one request. Returns (allowed, seconds_to_reset, headers)."""
        now = time.time() if now is None else now
        with self._lock:
            self._roll(now)
            allowed = self._used < self.limit
            if allowed:
                self._used += 1
            return allowed, self._reset_in(now), self._headers(now)

    def peek(self, now=None):
        now = time.time() if now is None else now
        with self._lock:
            self._roll(now)
            return self._headers(now)

    def _headers(self, now):
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Period": str(self.period),
            "X-RateLimit-Remaining": str(max(self.limit - self._used, 0)),
            "X-RateLimit-Reset": str(self._reset_in(now)),
            "X-RateLimit-Name": self.name,
        }


RULE_KEYS = {"method", "path", "status", "count", "rate", "headers", "latency_ms", "drop", "body",
             "drop_answer", "after", "mangle"}


def validate_rules(rules):
    if not isinstance(rules, list):
        raise ConfigError("rules", "must be a list")
    clean = []
    for i, rule in enumerate(rules):
        field = f"rules[{i}]"
        if not isinstance(rule, dict):
            raise ConfigError(field, "must be a mapping")
        unknown = set(rule) - RULE_KEYS
        if unknown:
            raise ConfigError(field, f"unknown keys: {', '.join(sorted(unknown))}")
        out = {}
        for key in ("method", "path"):
            if rule.get(key) is not None:
                if not isinstance(rule[key], str) or not rule[key]:
                    raise ConfigError(f"{field}.{key}", "must be a non-empty string")
                out[key] = rule[key].upper() if key == "method" else rule[key]
        status = rule.get("status")
        if status is not None:
            if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
                raise ConfigError(field + ".status", "must be an HTTP status code")
            out["status"] = status
        count = rule.get("count")
        if count is not None:
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ConfigError(field + ".count", "must be a positive integer")
            out["count"] = count
        rate = rule.get("rate")
        if rate is not None:
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                raise ConfigError(field + ".rate", "must be a number between 0 and 1")
            out["rate"] = float(rate)
        headers = rule.get("headers")
        if headers is not None:
            if not isinstance(headers, dict) or not all(isinstance(k, str) for k in headers):
                raise ConfigError(field + ".headers", "must be a mapping of header names to values")
            out["headers"] = {k: str(v) for k, v in headers.items()}
        latency = rule.get("latency_ms")
        if latency is not None:
            if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
                raise ConfigError(field + ".latency_ms", "must be a non-negative number")
            out["latency_ms"] = latency
        for key in ("drop", "drop_answer"):
            flag = rule.get(key, False)
            if not isinstance(flag, bool):
                raise ConfigError(f"{field}.{key}", "must be true or false")
            if flag:
                out[key] = True
        after = rule.get("after")
        if after is not None:
            if isinstance(after, bool) or not isinstance(after, int) or after < 0:
                raise ConfigError(field + ".after", "must be an integer >= 0")
            out["after"] = after
        if "body" in rule:
            out["body"] = rule["body"]
        if "mangle" in rule:
            # The request is handled (its effect applied), then its answer's body is replaced.
            if out.get("status") or out.get("drop"):
                raise ConfigError(field + ".mangle", "keeps the real answer: it cannot go with status or drop")
            out["mangle"] = rule["mangle"]
        if not (out.get("status") or out.get("drop") or out.get("drop_answer") or "latency_ms" in out
                or out.get("headers") or "mangle" in out):
            raise ConfigError(field, "needs an effect: status, drop, drop_answer, mangle, latency_ms or headers")
        clean.append(out)
    return clean


class Outcome:
    """What the matching rules did to one request."""

    def __init__(self):
        self.latency_ms = 0.0
        self.status = None
        self.drop = False
        # Handle the request (its effect is applied), then close without answering.
        self.drop_answer = False
        self.headers = {}
        self.body = None
        self.has_body = False
        # Replace the body of the real answer (the first matching ``mangle`` rule's value).
        self.mangle = None
        self.has_mangle = False


class FaultInjector:
    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._rules = []
        self.seed = seed
        self.random = random.Random(seed)

    def set_rules(self, rules, seed=None):
        rules = validate_rules(rules)
        with self._lock:
            self._rules = [dict(rule, fired=0, passed=0) for rule in rules]
            if seed is not None:
                self.seed = seed
                self.random = random.Random(seed)

    def rules(self):
        with self._lock:
            out = []
            for rule in self._rules:
                item = {k: v for k, v in rule.items() if k not in ("fired", "passed")}
                item["fired"] = rule["fired"]
                if "count" in rule:
                    item["remaining"] = max(rule["count"] - rule["fired"], 0)
                out.append(item)
            return out

    def apply(self, method, paths):
        """Decide the fate of one request. ``paths`` holds the raw path, decoded path and template."""
        outcome = Outcome()
        with self._lock:
            for rule in self._rules:
                if "method" in rule and rule["method"] != method:
                    continue
                if "path" in rule and rule["path"] not in paths:
                    continue
                if "count" in rule and rule["fired"] >= rule["count"]:
                    continue
                # ``after``: the first N matching requests go through untouched.
                if rule.get("after", 0) > rule["passed"]:
                    rule["passed"] += 1
                    continue
                # Draw only for rules with a rate, so adding a count-only rule does not
                # shift the random sequence of the others.
                if "rate" in rule and self.random.random() >= rule["rate"]:
                    continue
                rule["fired"] += 1
                outcome.latency_ms += rule.get("latency_ms", 0)
                outcome.headers.update(rule.get("headers", {}))
                if "mangle" in rule and not outcome.has_mangle:
                    outcome.has_mangle = True
                    outcome.mangle = rule["mangle"]
                if rule.get("drop"):
                    outcome.drop = True
                    break
                if rule.get("drop_answer"):
                    outcome.drop_answer = True
                    break
                if rule.get("status"):
                    outcome.status = rule["status"]
                    if "body" in rule:
                        outcome.has_body = True
                        outcome.body = rule["body"]
                    break
        return outcome
