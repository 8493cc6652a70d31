"""Practice-management data turned into a call request for the vet to review (nothing is stored)."""

from __future__ import annotations

from shared.domain.idexx import preview_call_request
from shared.logic.clinic_settings import ClinicSettingsService
from shared.models.idexx import IdexxDocument, IdexxPreview
from shared.models.principal import Principal


class IdexxPreviewService:
    def __init__(self, settings: ClinicSettingsService):
        self._settings = settings

    def preview(self, principal: Principal, document: IdexxDocument) -> IdexxPreview:
        """The call request an IDEXX Neo consultation maps to, checked against the clinic's zone and the owner's
        calling hours (admins only)."""
        principal.require_admin()
        settings = self._settings.current(principal.clinic_id)
        hours = (settings.owner_calling_hours.start, settings.owner_calling_hours.end)
        return preview_call_request(document, settings.timezone, hours)
