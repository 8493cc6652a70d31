"""Reading and changing a clinic's settings.

The chat webhook URL is a credential: it is stored whole (the notices function posts to it) but shown masked, to
admins and staff alike; a save that sends the masked value back, or leaves the field out, keeps the saved URL."""

from __future__ import annotations

from shared.logic.ports import Clock, SettingsStore
from shared.models.chat_webhooks import is_masked, masked
from shared.models.errors import WebhookUrlNotWhole
from shared.models.principal import Principal
from shared.models.settings import ClinicSettings


class ClinicSettingsService:
    def __init__(self, repository: SettingsStore, clock: Clock):
        self._repository = repository
        self._clock = clock

    def current(self, clinic_id: str) -> ClinicSettings:
        """The clinic's settings, whole, or the defaults for a clinic that has saved none. Never for display."""
        return self._repository.get(clinic_id) or ClinicSettings()

    def shown(self, clinic_id: str) -> ClinicSettings:
        """The clinic's settings as a person sees them: the webhook URL masked."""
        return with_webhook_masked(self.current(clinic_id))

    def replace(self, principal: Principal, settings: ClinicSettings) -> ClinicSettings:
        """Saves ``settings`` (keeping the saved webhook URL where the request does not replace it); the saved
        settings as shown."""
        principal.require_admin()
        saved = self._repository.get(principal.clinic_id)
        whole = with_webhook_kept(settings, saved.notifications.webhook_url if saved else None)
        self._repository.put(principal.clinic_id, whole, updated_by=principal.user_id, now=self._clock())
        return with_webhook_masked(whole)


def with_webhook_masked(settings: ClinicSettings) -> ClinicSettings:
    url = settings.notifications.webhook_url
    return settings if url is None else _with_webhook(settings, masked(url))


def with_webhook_kept(settings: ClinicSettings, saved: str | None) -> ClinicSettings:
    given = settings.notifications.webhook_url
    if given is not None and is_masked(given):
        if saved is None or masked(saved) != given:
            raise WebhookUrlNotWhole
        return _with_webhook(settings, saved)
    if "webhook_url" not in settings.notifications.model_fields_set:
        return _with_webhook(settings, saved)
    return settings  # a new URL, or null to remove it


def _with_webhook(settings: ClinicSettings, url: str | None) -> ClinicSettings:
    notifications = settings.notifications.model_copy(update={"webhook_url": url})
    return settings.model_copy(update={"notifications": notifications})
