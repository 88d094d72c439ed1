"""CSV exports of a campaign's signatures and letters, streamed."""

from flask import Response, abort, render_template, stream_with_context, url_for
from flask_login import current_user

from app.downloads import describedby, text_download
from app.extensions import db
from app.models import Campaign, Role
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ExportForm
from app.services.targets import petition
from app.services.workspace import exports
from app.services.workspace.exports import ExportFilter

EXPORTS = {"signatures": exports.signatures_csv, "letters": exports.letters_csv}


@bp.get("/campaigns/<int:campaign_id>/exports")
@requires(Role.ORGANIZER)
def export_page(campaign_id: int):
    """Choose filters and download a CSV."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template("organizer/exports.html", campaign=campaign, form=ExportForm())


# A POST with a CSRF token: each export is logged, and a GET could be triggered (and
# logged) by any site that links or embeds the URL.
@bp.post("/campaigns/<int:campaign_id>/exports/<what>.csv")
@requires(Role.ORGANIZER)
def export_csv(campaign_id: int, what: str):
    """Stream the campaign's signatures or letters as CSV; the export is logged."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ExportForm()
    if what not in EXPORTS or not form.validate():
        abort(400)
    filters = ExportFilter(
        status=form.status.data or "",
        state=form.state.data or "",
        since=form.since.data,
        until=form.until.data,
    )
    exports.record_export(campaign, what, filters, current_user)
    body = stream_with_context(EXPORTS[what](campaign, filters))
    filename = f"{campaign.slug}-{what}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            # The petition the rows signed: a sidecar, so the CSV stays header and rows.
            "Link": describedby(url_for("organizer.export_petition", campaign_id=campaign.id)),
        },
    )


@bp.get("/campaigns/<int:campaign_id>/exports/petition.txt")
@requires(Role.ORGANIZER)
def export_petition(campaign_id: int):
    """The petition statement as plain text, to keep with the CSV files."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return text_download(petition.statement_text(campaign), f"petition-{campaign.slug}.txt")
