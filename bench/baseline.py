"""The bare baseline the web benchmarks compare Chorus with: a minimal Flask app, served by
the same gunicorn.conf.py, that does one INSERT per POST and renders one small template.

Run by bench/signing.py, bench/pages.py and bench/overload.py as `bench.baseline:app`;
bench/sign_cpu.py also measures `checked`, the same INSERT behind the stack's own checks.
"""

import os
from pathlib import Path

import redis
import sqlalchemy as sa
from flask import Flask, redirect, render_template, request

from app.cross_origin import register_cross_origin_protection
from app.public.forms import SignSubmission

TEMPLATES = str(Path(__file__).with_name("templates"))
app = Flask(__name__, template_folder=TEMPLATES)
# The same pool settings Chorus uses in production (app/__init__.py::_engine_options).
engine = sa.create_engine(
    os.environ["DATABASE_URL"], pool_size=10, max_overflow=5, pool_timeout=3, pool_recycle=1800
)
INSERT = sa.text("INSERT INTO bare_signatures (name, email, zip) VALUES (:name, :email, :zip)")


@app.post("/sign")
def sign():
    """Store one row and redirect, as a sign form does."""
    with engine.begin() as connection:
        connection.execute(
            INSERT,
            {
                "name": request.form["name"],
                "email": request.form["email"],
                "zip": request.form["zip"],
            },
        )
    return redirect("/page")


@app.get("/page")
def page():
    """Render one small template."""
    return render_template("bare.html", title="A campaign", count=1_000_000, goal=2_000_000)


# The work any sign view on the decided stack must do, without Chorus: the Fetch-Metadata /
# Origin check (app/cross_origin.py, no session, no token), Chorus's own sign form check
# (SignSubmission: SignForm's rules, on its plain path), one
# rate-limit count in Redis and the same INSERT. The benchmarks measure it beside Chorus and
# the bare app, so the gap between those two can be split into the stack's share and
# Chorus's own.
checked = Flask(__name__, template_folder=TEMPLATES)
checked.config["BASE_URL"] = os.environ.get("BASE_URL") or "http://127.0.0.1:5000"
register_cross_origin_protection(checked)
checked.add_url_rule("/page", view_func=page)
rate_counts = redis.Redis.from_url(os.environ["RATELIMIT_STORAGE_URI"])


@checked.post("/sign")
def checked_sign():
    fields = SignSubmission().fields
    if fields is None:
        return "invalid", 400
    counting = rate_counts.pipeline(transaction=False)
    counting.incr(f"bench-checked:{request.remote_addr}")
    counting.expire(f"bench-checked:{request.remote_addr}", 60)
    counting.execute()
    with engine.begin() as connection:
        connection.execute(INSERT, {"name": fields.name, "email": fields.email, "zip": fields.zip})
    return redirect("/page")
