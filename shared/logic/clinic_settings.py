"""Reading and changing a clinic's settings."""

from __future__ import annotations

from shared.logic.ports import Clock, SettingsStore
from shared.models.principal import Principal
from shared.models.settings import ClinicSettings


class ClinicSettingsService:
    def __init__(self, repository: SettingsStore, clock: Clock):
        self._repository = repository
        self._clock = clock

    def current(self, clinic_id: str) -> ClinicSettings:
        """The clinic's settings, or the defaults for a clinic that has saved none."""
        return self._repository.get(clinic_id) or ClinicSettings()

    def replace(self, principal: Principal, settings: ClinicSettings) -> ClinicSettings:
        principal.require_admin()
        self._repository.put(principal.clinic_id, settings, updated_by=principal.user_id, now=self._clock())
        return settings
