"""Rate limits on signing and writing: mark for review, block only abuse.

Why: the UK petitions service keeps accepting signatures from busy addresses and flags them
for moderators, because a script that is told it was caught simply changes tactics, and one
IP may be a whole campus or mobile network. So a signer over a review limit is accepted as
usual and the signature carries a review reason that organizers see; only a rate far above
anything human from one IP gets a 429. Limits live in config (Flask-Limiter syntax) and are
counted in the limiter's storage: memory in `make run`, Redis in production.
"""

from __future__ import annotations

import logging
import math
import time
from functools import lru_cache, partial

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import RedisClusterStorage, RedisStorage
from werkzeug.exceptions import TooManyRequests

from app.extensions import limiter
from app.services.tokens import keyed_hash

log = logging.getLogger(__name__)

REASON_IP = "many submissions from one IP address"
REASON_EMAIL = "many submissions from one email address"


def client_ip() -> str:
    """The client's IP: the socket peer, or what PROXY_HOPS trusted proxies say (ProxyFix)."""
    return request.remote_addr or ""


# (config key, what is counted, why organizers should review it; None: blocked with a 429)
_SUBMISSION_LIMITS = (
    ("RATELIMIT_BLOCK_IP", "ip", None),
    ("RATELIMIT_REVIEW_IP", "ip", REASON_IP),
    ("RATELIMIT_REVIEW_EMAIL", "email", REASON_EMAIL),
)


def count_submission(email: str | None = None) -> str:
    """Count one POST of a signature or letter, in one round trip to the store.

    Every POST counts against the block limit: over it, TooManyRequests (a friendly 429).
    A submission the view accepts (its email given) also counts against the review
    limits, and the answer says why a person should review it ("" if nothing stands out);
    refused ones (invalid form, honeypot, unknown ZIP) do not, so a bot or a mistyped form
    never gets real signers behind the same address flagged.
    """
    if not limiter.enabled:
        return ""
    counted = {"ip": client_ip(), "email": (email or "").strip().lower()}
    # Keyed hashes: the limiter's store (Redis) never holds an address or an email.
    hashed = {what: keyed_hash(value, 24) for what, value in counted.items() if value}
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    hits = [
        (reason, item, f"{prefix}:{config_key}:{hashed[what]}")
        for config_key, what, reason in _SUBMISSION_LIMITS
        if what in hashed and (reason is None or email is not None)
        for item in _parse(current_app.config[config_key])
    ]
    try:
        within = _hit_all([(item, key) for _, item, key in hits])
        over = [
            (reason, item, key)
            for (reason, item, key), ok in zip(hits, within, strict=True)
            if not ok
        ]
        blocked = [(item, key) for reason, item, key in over if reason is None]
        retry_after = _seconds_until_reset(blocked) if blocked else 0
    except Exception:  # the store is down: accept without review rather than fail the signer
        log.warning("rate-limit store unavailable; submission not counted", exc_info=True)
        return ""
    if blocked:
        raise TooManyRequests(retry_after=retry_after)
    return "; ".join(dict.fromkeys(reason for reason, _, _ in over))


def _hit_all(hits: list[tuple[RateLimitItem, str]]) -> list[bool]:
    """Count one hit on each (limit, key), as the limiter's fixed-window strategy does, and
    say which are still within their limit. On Redis one script counts them all: one round
    trip where the limiter's own hit() takes one per limit."""
    storage = limiter.limiter.storage
    keys = [item.key_for(key) for item, key in hits]
    # Not on a Redis Cluster: the keys live in different hash slots, which one script
    # cannot touch.
    if isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage):
        script = _count_script(storage.get_connection())
        counts = script(
            [storage.prefixed_key(key) for key in keys], [item.get_expiry() for item, _ in hits]
        )
    else:
        counts = [
            storage.incr(key, item.get_expiry()) for (item, _), key in zip(hits, keys, strict=True)
        ]
    return [int(count) <= item.amount for count, (item, _) in zip(counts, hits, strict=True)]


# KEYS are counters and ARGV their windows in seconds: count one hit on each, return counts.
_COUNT_HITS = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call("incr", key)
  if counts[i] == 1 then redis.call("expire", key, ARGV[i]) end
end
return counts
"""


@lru_cache(maxsize=8)
def _count_script(client):
    return client.register_script(_COUNT_HITS)


def _seconds_until_reset(hits: list[tuple[RateLimitItem, str]]) -> int:
    resets = [limiter.limiter.get_window_stats(item, key).reset_time for item, key in hits]
    # The limits library stamps its windows with time.time(), not app.clock: compare alike.
    return max(1, math.ceil(max(resets) - time.time()))


@lru_cache(maxsize=32)
def _parse(limits: str) -> tuple:
    return tuple(parse_many(limits))


class LimiterUnavailable(Exception):
    """The rate-limit store cannot be reached, so a login cannot be throttled."""


# A failed login starts the account's backoff this long, doubling with each further failure.
LOGIN_BACKOFF_SECONDS = 1
# Failed logins are remembered this long after the latest one.
LOGIN_FAILURES_KEPT_SECONDS = 24 * 3600


def throttle_login(email: str) -> None:
    """Count a login attempt; TooManyRequests while its IP or its account must wait.

    Per IP (RATELIMIT_LOGIN), and per account however many addresses a guesser uses:
    after LOGIN_FAILURES_BEFORE_BACKOFF failures each further attempt waits, twice as long
    each time up to LOGIN_BACKOFF_MAX_SECONDS. Unlike signing this fails closed
    (LimiterUnavailable): with the store down, guessing would be unlimited.
    """
    if not limiter.enabled:
        return
    try:
        ip_key = f"{current_app.config['RATELIMIT_KEY_PREFIX']}:login:{keyed_hash(client_ip(), 24)}"
        limits = _parse(current_app.config["RATELIMIT_LOGIN"])
        blocked = [(item, ip_key) for item in limits if not limiter.limiter.hit(item, ip_key)]
        if blocked:
            raise TooManyRequests(retry_after=_seconds_until_reset(blocked))
        storage = limiter.limiter.storage
        wait_key = _login_key("wait", email)
        waiting = storage.get(wait_key) and storage.get_expiry(wait_key) - time.time()
    except TooManyRequests:
        raise
    except Exception as error:
        raise LimiterUnavailable() from error
    if waiting:
        raise TooManyRequests(retry_after=max(1, math.ceil(waiting)))


def note_login_failure(email: str) -> None:
    """Count a failed login against its account, and start or lengthen its backoff."""
    if not limiter.enabled:
        return
    config = current_app.config
    try:
        storage = limiter.limiter.storage
        failures = storage.incr(_login_key("failures", email), LOGIN_FAILURES_KEPT_SECONDS)
        over = failures - config["LOGIN_FAILURES_BEFORE_BACKOFF"]
        if over >= 0:
            wait = min(LOGIN_BACKOFF_SECONDS * 2**over, config["LOGIN_BACKOFF_MAX_SECONDS"])
            storage.incr(_login_key("wait", email), wait)
    except Exception:  # the next attempt's throttle_login fails closed
        log.warning("rate-limit store unavailable; failed login not counted", exc_info=True)


def forget_login_failures(email: str) -> None:
    """A successful login clears its account's failures."""
    if not limiter.enabled:
        return
    try:
        limiter.limiter.storage.clear(_login_key("failures", email))
    except Exception:
        log.warning("rate-limit store unavailable; failures not cleared", exc_info=True)


def _login_key(what: str, email: str) -> str:
    account = keyed_hash(email.strip().lower(), 24)
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:login-{what}:{account}"


def init_rate_limits(app) -> None:
    """Bind the limiter to the app, without its per-request hook.

    Chorus's one Flask-Limiter limit is a decorator (the funnel beacon), which checks
    itself, and it sets no application-wide or default limits (RATELIMIT_APPLICATION,
    RATELIMIT_DEFAULT: one of those would need the hook back). So the hook would find
    nothing to check on every request, at 0.2 M instructions each, a twentieth of a
    signature's cost. The signing views count themselves (count_submission).

    Its after-request and teardown hooks go too unless RATELIMIT_HEADERS_ENABLED: they add
    the rate-limit headers, apply `deduct_when` limits (Chorus has none) and clear what the
    request hook noted on the request context, which dies with the request anyway; another
    0.1 M instructions on every request.
    """
    limiter.init_app(app)
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not added when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
    if not app.config.get("RATELIMIT_HEADERS_ENABLED"):
        after = app.after_request_funcs.get(None, [])
        after[:] = [hook for hook in after if not _limiter_hook(hook)]
        teardown = app.teardown_request_funcs.get(None, [])
        teardown[:] = [hook for hook in teardown if not _limiter_hook(hook)]


def _limiter_hook(hook) -> bool:
    # Its after-request hook is a partial of a Limiter method, its teardown a bound method.
    if isinstance(hook, partial):
        return hook.args[:1] == (limiter,)
    return getattr(hook, "__self__", None) is limiter
