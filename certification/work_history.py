"""Reviews a reviewer has done on the platform, for the work-history part of the reviewer
ranking. Certification cannot know them (the review app keeps its teams), so the app above
registers a provider in its AppConfig.ready, as with `certification.contacts`: reviews done on
the platform need not be typed into a `ReviewExperience` again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

# reviewer ids → {reviewer id: reviews completed on the platform}
PlatformReviewsProvider = Callable[[list[int]], Mapping[int, int]]

_providers: list[PlatformReviewsProvider] = []


def platform_reviews_register(provider: PlatformReviewsProvider) -> None:
    """Add a provider of reviews completed on the platform (registering twice is once)."""
    if provider not in _providers:
        _providers.append(provider)


def platform_reviews(user_ids: Iterable[int]) -> dict[int, int]:
    """Reviews completed on the platform per user, summed over the registered providers (a
    user with none is absent)."""
    user_ids = list(user_ids)
    counts: dict[int, int] = defaultdict(int)
    if not user_ids:
        return {}
    for provider in _providers:
        for user_id, number in provider(user_ids).items():
            counts[user_id] += number
    return dict(counts)
