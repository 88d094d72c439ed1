"""The bare baseline the web benchmarks compare Chorus with: a minimal Flask app, served by
the same gunicorn.conf.py, that does one INSERT per POST and renders one small template.

Run by bench/signing.py, bench/pages.py and bench/overload.py as `bench.baseline:app`.
"""

import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, redirect, render_template, request

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
