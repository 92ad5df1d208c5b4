"""What a person sees on a phone, asserted once the page they went to has loaded.

A click on a link or a submit button returns as soon as the browser has the click, before the next
document exists; reading the page then sees the old one or, mid-navigation, none at all (a loaded
CI machine showed both). `follow` waits for the navigation the click starts; `fits` waits for the
document to load before measuring it.
"""

from __future__ import annotations

from typing import Any

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def fits(page: Any) -> bool:
    """No sideways scrolling: the loaded document is no wider than the viewport."""
    page.wait_for_load_state()
    return bool(page.evaluate(FITS))


def follow(page: Any, target: Any) -> None:
    """Click `target` (a link or a submit button) and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        target.click()
