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
from flask_wtf.csrf import CSRFProtect, generate_csrf

from app.public.forms import SignForm

app = Flask(__name__, template_folder=str(Path(__file__).with_name("templates")))
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


# The work any sign view on the decided stack must do, without Chorus: Flask-WTF's CSRF
# check (which reads the session cookie), Chorus's own SignForm, one rate-limit count in
# Redis and the same INSERT. bench/sign_cpu.py measures it beside Chorus and the bare app,
# so the gap between those two can be split into the stack's share and Chorus's own.
checked = Flask(__name__)
checked.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
CSRFProtect(checked)
rate_counts = redis.Redis.from_url(os.environ["RATELIMIT_STORAGE_URI"])


@checked.post("/sign")
def checked_sign():
    form = SignForm(meta={"csrf": False})  # CSRFProtect checked the token, as in Chorus
    if not form.validate_on_submit():
        return "invalid", 400
    counting = rate_counts.pipeline(transaction=False)
    counting.incr(f"bench-checked:{request.remote_addr}")
    counting.expire(f"bench-checked:{request.remote_addr}", 60)
    counting.execute()
    with engine.begin() as connection:
        connection.execute(
            INSERT, {"name": form.name.data, "email": form.email.data, "zip": form.zip.data}
        )
    return redirect("/page")


@checked.get("/csrf-token")
def checked_csrf_token():
    return {"csrf_token": generate_csrf()}
