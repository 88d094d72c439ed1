"""Chorus: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.extensions import csrf, db, login_manager, migrate
from app.mail.backends import backend_from_config
from app.ratelimits import init_rate_limits
from app.sessions import CookieSessionInterface

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_object: object | str = "config.Config") -> Flask:
    """Build the Chorus app from a config class (or its import path)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_object)
    app.session_interface = CookieSessionInterface()
    app.url_map.converters["int"] = IdConverter
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config))
    if app.config["PROXY_HOPS"]:
        # Trust X-Forwarded-* only from the configured number of proxies in front of us.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_rate_limits(app)
    app.extensions["chorus_mail"] = backend_from_config(app.config)

    from app import models  # noqa: F401  (registers every table on db.metadata)
    from app.api import bp as api_bp
    from app.api import v1 as api_v1_bp
    from app.organizer import bp as organizer_bp
    from app.public import bp as public_bp
    from app.targets import bp as targets_bp

    # Citizens' forms carry no token and set no cookie: cross_origin guards them instead.
    csrf.exempt(public_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(targets_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_v1_bp)

    from app.cli import register_commands
    from app.cross_origin import register_cross_origin_protection
    from app.errors import register_error_handlers
    from app.http_cache import register_http_cache
    from app.i18n import register_i18n
    from app.security_headers import register_security_headers
    from app.templating import register_template_helpers
    from app.worker import register_workers

    register_commands(app)
    register_error_handlers(app)
    register_cross_origin_protection(app)
    register_http_cache(app)
    register_i18n(app)  # after the page cache: its URL prefixes are the outermost layer
    register_security_headers(app)
    register_template_helpers(app)
    register_workers(app)
    return app


class IdConverter(IntegerConverter):
    """`<int:...>` up to the largest id a BIGINT holds: past it the URL is a 404, not an
    overflow in the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _engine_options(config) -> dict:
    # A database error's message would otherwise carry the statement's values (a signer's
    # name and email) into the logs.
    options: dict = {"hide_parameters": True}
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        return options | {"connect_args": {"timeout": 15}}
    connect_args: dict = {"connect_timeout": 3}
    if config.get("DATABASE_STATEMENT_TIMEOUT_MS"):
        connect_args["options"] = f"-c statement_timeout={config['DATABASE_STATEMENT_TIMEOUT_MS']}"
    return options | {
        "pool_size": config["DATABASE_POOL_SIZE"],
        "max_overflow": 5,
        "pool_timeout": config["DATABASE_POOL_TIMEOUT"],
        # No pre-ping: it costs a round trip on every request. After a database restart the
        # first query on a stale connection fails (a 503) and invalidates the whole pool.
        "pool_recycle": 1800,
        "connect_args": connect_args,
    }


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys and let readers run beside the writer on SQLite."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
