"""Admin page: the organization that runs this site."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from app.models import Role
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import OrganizationForm
from app.services.workspace import organization


@bp.route("/organization", methods=["GET", "POST"])
@requires(Role.ADMIN)
def organization_profile():
    """Edit who runs the site, as shown on every public page and email."""
    current = organization.profile()
    form = OrganizationForm(obj=current)
    if form.validate_on_submit():
        values = organization.OrganizationInput(
            name=form.name.data,
            contact_address=form.contact_address.data or "",
            contact_email=form.contact_email.data or "",
            website=form.website.data or "",
            privacy_contact=form.privacy_contact.data or "",
        )
        organization.update_profile(values, current_user)
        flash(gettext("Organization saved."), "ok")
        return redirect(url_for("organizer.organization_profile"))
    return render_template("organizer/organization.html", form=form)
