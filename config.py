"""Configuration: every setting comes from an environment variable with a safe default."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CHORUS_INSTANCE_DIR") or BASE_DIR / "instance")


def _dev_secret_key() -> str:
    """Generate a secret key once into instance/ so sessions survive restarts in development."""
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
    # Campaign content files that `flask seed` loads.
    CONTENT_DIR = BASE_DIR / "content" / "campaigns"
    SQLALCHEMY_DATABASE_URI = (
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'chorus.sqlite3'}"
    )
    # Fail fast when the pool is exhausted: a friendly 503 beats a request that hangs.
    DATABASE_POOL_TIMEOUT = _int("DATABASE_POOL_TIMEOUT", 3)
    DATABASE_POOL_SIZE = _int("DATABASE_POOL_SIZE", 10)
    BASE_URL = (os.environ.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    SITE_NAME = os.environ.get("SITE_NAME") or "Chorus"

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or "console"
    MAIL_FROM = os.environ.get("MAIL_FROM") or "Chorus <no-reply@chorus.localhost>"
    SMTP_HOST = os.environ.get("SMTP_HOST") or "localhost"
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME") or ""
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or ""
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    SENDGRID_API_KEY = os.environ.get("SENDGRID_API_KEY") or ""
    SENDGRID_API_HOST = os.environ.get("SENDGRID_API_HOST") or "https://api.sendgrid.com"
    SENDGRID_WEBHOOK_PUBLIC_KEY = os.environ.get("SENDGRID_WEBHOOK_PUBLIC_KEY") or ""
    MAIL_SEND_TIMEOUT = _int("MAIL_SEND_TIMEOUT", 10)

    # Communicating with Congress (docs/cwc.md): off until the House or Senate approves the
    # organization as a vendor. A chamber's own URL and key, when set, win over the shared ones;
    # the URL is the full message endpoint (or the validate endpoint, to test).
    CWC_HOUSE = _bool("CWC_HOUSE", False)
    CWC_SENATE = _bool("CWC_SENATE", False)
    CWC_API_URL = os.environ.get("CWC_API_URL") or ""
    CWC_API_KEY = os.environ.get("CWC_API_KEY") or ""
    CWC_HOUSE_API_URL = os.environ.get("CWC_HOUSE_API_URL") or ""
    CWC_HOUSE_API_KEY = os.environ.get("CWC_HOUSE_API_KEY") or ""
    CWC_SENATE_API_URL = os.environ.get("CWC_SENATE_API_URL") or ""
    CWC_SENATE_API_KEY = os.environ.get("CWC_SENATE_API_KEY") or ""
    # The delivery agent must be named exactly as the API key was issued.
    CWC_DELIVERY_AGENT = os.environ.get("CWC_DELIVERY_AGENT") or ""
    CWC_DELIVERY_AGENT_CONTACT_NAME = os.environ.get("CWC_DELIVERY_AGENT_CONTACT_NAME") or ""
    CWC_DELIVERY_AGENT_CONTACT_EMAIL = os.environ.get("CWC_DELIVERY_AGENT_CONTACT_EMAIL") or ""
    # Format 202-555-0100.
    CWC_DELIVERY_AGENT_CONTACT_PHONE = os.environ.get("CWC_DELIVERY_AGENT_CONTACT_PHONE") or ""
    CWC_ACK_EMAIL = os.environ.get("CWC_ACK_EMAIL") or ""
    CWC_TIMEOUT = _int("CWC_TIMEOUT", 10)

    REDIS_URL = os.environ.get("REDIS_URL") or ""
    # The embedded worker drains the outbox inside the web process when no broker is set up.
    EMBEDDED_WORKER = _bool("EMBEDDED_WORKER", False)
    WORKER_POLL_SECONDS = _int("WORKER_POLL_SECONDS", 2)
    # The outbox (app/services/delivery.py): rows claimed per round, how long a claim lasts
    # before another worker may take the row over, and retry backoff for temporary errors.
    DELIVERY_BATCH_SIZE = _int("DELIVERY_BATCH_SIZE", 100)
    DELIVERY_LEASE_SECONDS = _int("DELIVERY_LEASE_SECONDS", 120)
    DELIVERY_MAX_ATTEMPTS = _int("DELIVERY_MAX_ATTEMPTS", 8)
    DELIVERY_BACKOFF_SECONDS = float(os.environ.get("DELIVERY_BACKOFF_SECONDS") or 30)
    DELIVERY_BACKOFF_MAX_SECONDS = _int("DELIVERY_BACKOFF_MAX_SECONDS", 3600)
    # Celery (app/tasks.py): the queue, and how often beat re-enqueues whatever is due.
    CELERY_QUEUE = os.environ.get("CELERY_QUEUE") or "chorus"
    # The commits of one process within this window share one "deliver" task.
    CELERY_WAKE_UP_SECONDS = _float("CELERY_WAKE_UP_SECONDS", 0.05)
    DELIVERY_SWEEP_SECONDS = _int("DELIVERY_SWEEP_SECONDS", 15)
    # Daily digests to targets that asked for one: the hour (UTC) and letters shown in full.
    DIGEST_HOUR_UTC = _int("DIGEST_HOUR_UTC", 13)
    DIGEST_LETTERS_SHOWN = _int("DIGEST_LETTERS_SHOWN", 25)
    # Signed SendGrid events older than this (seconds) are refused as possible replays.
    SENDGRID_WEBHOOK_MAX_AGE = _int("SENDGRID_WEBHOOK_MAX_AGE", 600)
    # How often confirmed signatures are added to the public counts (seconds).
    COUNT_INTERVAL_SECONDS = _int("COUNT_INTERVAL_SECONDS", 5)
    # Public pages are cached by proxies for one count interval; each web process also keeps
    # the copy it serves to visitors without cookies this long (0 turns that off).
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 2)

    # Outbound webhooks (docs/api.md): seconds to wait for an answer, and when an endpoint
    # whose every attempt fails is turned off (and the admins told): after this many hours
    # of failures spanning at least this many events.
    WEBHOOK_TIMEOUT = _int("WEBHOOK_TIMEOUT", 10)
    WEBHOOK_DISABLE_AFTER_HOURS = _int("WEBHOOK_DISABLE_AFTER_HOURS", 24)
    WEBHOOK_DISABLE_AFTER_EVENTS = _int("WEBHOOK_DISABLE_AFTER_EVENTS", 5)
    # Endpoints must be https://; plain http to 127.0.0.1 or localhost only in development
    # and tests, whose receivers run on this machine.
    WEBHOOK_ALLOW_LOCAL_HTTP = _bool("WEBHOOK_ALLOW_LOCAL_HTTP", False)
    # Representatives' responses wait for an organizer to show them on the campaign page
    # (a leaked private link could otherwise post there); off: shown at once.
    RESPONSES_NEED_APPROVAL = _bool("RESPONSES_NEED_APPROVAL", False)

    CONFIRM_TOKEN_MAX_AGE = _int("CONFIRM_TOKEN_MAX_AGE", 14 * 24 * 3600)
    CONFIRMATION_RESEND_LIMIT = _int("CONFIRMATION_RESEND_LIMIT", 3)

    # Client IP comes only from this many trusted proxy hops (X-Forwarded-For).
    PROXY_HOPS = _int("PROXY_HOPS", 0)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        REDIS_URL if REDIS_URL else "memory://"
    )
    RATELIMIT_KEY_PREFIX = "chorus-rl"
    # Off only where something in front already limits; set on every app, since the limiter
    # is one object and would otherwise keep the last app's choice.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # A rate-limit store that is down must not stop people signing: count nothing, log it.
    RATELIMIT_SWALLOW_ERRORS = True
    # Limits in Flask-Limiter syntax (app/ratelimits.py). Over a REVIEW limit a signature or
    # letter is still accepted but marked for organizers to review, and the sender is not told;
    # only the far higher BLOCK rate from one IP gets a 429.
    RATELIMIT_REVIEW_IP = os.environ.get("RATELIMIT_REVIEW_IP") or "20 per 10 minutes"
    RATELIMIT_REVIEW_EMAIL = os.environ.get("RATELIMIT_REVIEW_EMAIL") or "10 per hour"
    RATELIMIT_BLOCK_IP = os.environ.get("RATELIMIT_BLOCK_IP") or "120 per minute"
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN") or "10 per minute;50 per hour"
    # Per account, whatever the IP: after this many failed logins each further attempt waits
    # 1, 2, 4... seconds, up to the maximum (app/ratelimits.py throttle_login).
    LOGIN_FAILURES_BEFORE_BACKOFF = _int("LOGIN_FAILURES_BEFORE_BACKOFF", 5)
    LOGIN_BACKOFF_MAX_SECONDS = _int("LOGIN_BACKOFF_MAX_SECONDS", 900)
    # Stops a runaway query (lock waits included) so its request ends in a 503, not a hang.
    # gunicorn.conf.py turns it on for the web server; CLI jobs such as recount run without.
    DATABASE_STATEMENT_TIMEOUT_MS = _int("DATABASE_STATEMENT_TIMEOUT_MS", 0)
    # Static files are not fingerprinted: let browsers and CDNs keep them a few minutes.
    SEND_FILE_MAX_AGE_DEFAULT = _int("STATIC_MAX_AGE", 300)

    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 256 * 1024)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_SECONDS", 8 * 3600)
    # Organizer password hashing: argon2id at RFC 9106's low-memory profile (about 0.45 s
    # and 64 MiB a login), slow on purpose so a stolen hash is slow to guess.
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 64 * 1024)  # KiB
    ARGON2_PARALLELISM = _int("ARGON2_PARALLELISM", 4)
    WTF_CSRF_TIME_LIMIT = None


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    MAIL_BACKEND = "memory"
    BASE_URL = "http://chorus.test"
    SESSION_COOKIE_SECURE = False
    RATELIMIT_STORAGE_URI = "memory://"
    EMBEDDED_WORKER = False
    # The cheapest argon2 allows: tests log in often and need no protection from guessing.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    # Tests look at pages right after changing data (tests/test_http_cache.py turns it on).
    PAGE_CACHE_SECONDS = 0
    WEBHOOK_ALLOW_LOCAL_HTTP = True
