"""Permissions cms gives each role. Page permissions (add/edit/publish on the site's tree) are
Wagtail group page permissions, set by `services.editor_page_permissions_ensure()`."""

from __future__ import annotations

from accounts.roles import CONTENT_EDITOR

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CONTENT_EDITOR: [
        "cms.import_standard",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
    ],
}
