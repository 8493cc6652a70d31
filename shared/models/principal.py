"""Who is asking: the user, their clinic (the tenant) and whether they administer it. Comes from the JWT only."""

from __future__ import annotations

from dataclasses import dataclass

from shared.models.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    user_id: str
    clinic_id: str
    is_admin: bool

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only clinic admins can do this; ask an admin of your clinic.")
