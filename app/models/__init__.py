"""All models, imported here so Alembic and the app see one metadata."""

from app.models.campaign import (
    Campaign,
    CampaignPage,
    CampaignRevision,
    CampaignStatus,
    CampaignTally,
    Milestone,
    Response,
    SupporterUpdate,
    campaign_fixed_targets,
)
from app.models.dataset import Dataset, DatasetKind
from app.models.delivery import (
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    DeliveryStatus,
    ProviderEvent,
    Suppression,
)
from app.models.integration import ApiKey, Scope, WebhookAttempt, WebhookEndpoint, WebhookEvent
from app.models.metrics import CampaignMetric, Metric
from app.models.organization import Organization
from app.models.organizer import AuditEvent, Organizer, RepresentativeAccess, Role
from app.models.signature import (
    Letter,
    Moderation,
    Signature,
    SignatureStatus,
    letter_targets,
)
from app.models.target import Target, TargetKind, ZipDistrict

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Campaign",
    "CampaignMetric",
    "CampaignPage",
    "CampaignRevision",
    "CampaignStatus",
    "CampaignTally",
    "Dataset",
    "DatasetKind",
    "Delivery",
    "DeliveryChannel",
    "DeliveryKind",
    "DeliveryStatus",
    "Letter",
    "Metric",
    "Milestone",
    "Moderation",
    "Organization",
    "Organizer",
    "ProviderEvent",
    "RepresentativeAccess",
    "Response",
    "Role",
    "Scope",
    "Signature",
    "SignatureStatus",
    "SupporterUpdate",
    "Suppression",
    "Target",
    "TargetKind",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookEvent",
    "ZipDistrict",
    "campaign_fixed_targets",
    "letter_targets",
]
