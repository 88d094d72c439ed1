"""Admin pages: API keys for the organization's tools, and its webhook endpoints."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import ApiKey, Role, WebhookEndpoint
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm, ApiKeyForm, WebhookForm
from app.services.api import keys
from app.services.delivery import webhooks as hooks


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
        flash(gettext("Key “%(name)s” revoked.", name=key.name), "ok")
    return redirect(url_for("organizer.api_keys"))


@bp.route("/webhooks", methods=["GET", "POST"])
@requires(Role.ADMIN)
def webhooks():
    """List webhook endpoints and register one."""
    form = WebhookForm()
    if form.validate_on_submit():
        with flash_errors():
            endpoint = hooks.register_endpoint(form.url.data, form.events.data, current_user)
            return redirect(url_for("organizer.webhook", endpoint_id=endpoint.id))
    return render_template("organizer/webhooks.html", form=form, endpoints=hooks.all_endpoints())


@bp.get("/webhooks/<int:endpoint_id>")
@requires(Role.ADMIN)
def webhook(endpoint_id: int):
    """An endpoint: its signing secret, its events, and its latest attempts."""
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return render_template(
        "organizer/webhook.html",
        endpoint=endpoint,
        attempts=hooks.attempts(endpoint),
        toggle_form=ActionForm(),
    )


@bp.post("/webhooks/<int:endpoint_id>/active")
@requires(Role.ADMIN)
def toggle_webhook(endpoint_id: int):
    """Turn an endpoint off, or on again."""
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    if ActionForm().validate_on_submit():
        hooks.set_active(endpoint, not endpoint.active, current_user)
    return redirect(url_for("organizer.webhook", endpoint_id=endpoint.id))
