"""A member's own data: the policy over the repository's privacy queries.

A member sees, exports and deletes only their own data; a delete happens only after an
explicit confirmation. The host (``convquiz privacy delete USER_ID`` on the server's
terminal) acts on a member's request through the same ``delete`` with ``by_host``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.errors import Localized
from bot.records import PrivacyCounts
from bot.storage.repository import Repository

__all__ = ["DeleteRequest", "NotYourData", "Privacy", "PrivacyCounts"]


class NotYourData(Localized):
    """Someone asked to delete another member's data, or pressed their button."""

    def __init__(self) -> None:
        super().__init__("privacy.only_you")


@dataclass(frozen=True, slots=True)
class DeleteRequest:
    """A pending delete: whose data, asked by whom; nothing happens until confirmed."""

    user_id: int
    asked_by: int


class Privacy:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    async def show(self, user_id: int) -> PrivacyCounts:
        return await self.repository.privacy_counts(user_id)

    async def export(self, user_id: int) -> bytes:
        """Every row that names ``user_id``, as one UTF-8 JSON document."""
        rows: dict[str, Any] = await self.repository.privacy_export(user_id)
        document = {"user_id": user_id, **rows}
        return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()

    def ask_delete(self, asked_by: int, user_id: int) -> DeleteRequest:
        """The first step of a delete: a member may ask only for their own data."""
        if asked_by != user_id:
            raise NotYourData()
        return DeleteRequest(user_id, asked_by)

    async def confirm_delete(self, request: DeleteRequest, confirmed_by: int) -> PrivacyCounts:
        """The second step: only the member who asked confirms. What was deleted."""
        if confirmed_by != request.asked_by:
            raise NotYourData()
        return await self.repository.privacy_delete(request.user_id)

    async def delete_by_host(self, user_id: int) -> PrivacyCounts:
        """The host acting on a member's request from the terminal (already confirmed
        by typing the command)."""
        return await self.repository.privacy_delete(user_id)
