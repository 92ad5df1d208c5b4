"""The staff workspace: the tools each app offers its staff, shown in the account menu and on
`/me/workspace/`. An app declares its tools in `<app>/workspace.py` as
`TOOLS = [WorkspaceTool(...)]`; `accounts.selectors.workspace_tools(user)` is the one place that
decides which a person sees.

A tool names the permission its page checks, so the menu offers exactly what would open.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class WorkspaceTool:
    label: str | Promise
    description: str | Promise
    url_name: str
    # The permission the tool's page requires; None for superusers only.
    permission: str | None
    # Position in the menu: the platform's own pages first, the general admins last.
    order: int

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# The Django admin edits any table directly: superusers only, whatever other staff may view there.
TOOLS = [
    WorkspaceTool(
        label=_("Django admin"),
        description=_("Every table, for superusers: users, roles, settings, the audit log."),
        url_name="admin:index",
        permission=None,
        order=90,
    ),
]
