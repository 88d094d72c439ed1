"""Admin pages: API keys for the organization's tools, and its webhook endpoints."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import ApiKey, Role
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm, ApiKeyForm
from app.services.api import keys


@bp.route("/api-keys", methods=["GET", "POST"])
@requires(Role.ADMIN)
def api_keys():
    """List API keys and create one; a new key's secret is shown on this page once."""
    form = ApiKeyForm()
    secret = None
    if form.validate_on_submit():
        with flash_errors():
            _, secret = keys.create_key(form.name.data, form.scopes.data, current_user)
            form = ApiKeyForm(formdata=None)
    return render_template(
        "organizer/api_keys.html",
        form=form,
        keys=keys.all_keys(),
        secret=secret,
        revoke_form=ActionForm(),
    )


@bp.post("/api-keys/<int:key_id>/revoke")
@requires(Role.ADMIN)
def revoke_api_key(key_id: int):
    """Stop a key working at once."""
    key = db.get_or_404(ApiKey, key_id)
    if ActionForm().validate_on_submit():
        keys.revoke_key(key, current_user)
        flash(f"Key “{key.name}” revoked.", "ok")
    return redirect(url_for("organizer.api_keys"))
