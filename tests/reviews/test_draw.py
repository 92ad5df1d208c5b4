"""The draw as a pure function: reproducible, fair, refuses what it cannot do."""

from __future__ import annotations

from collections import Counter

import pytest

from reviews.draw import draw_team, rank, seed_new
from reviews.errors import ReviewError

SEEDS = [f"{n:064x}" for n in range(1, 3001)]  # a fixed sequence: the test is never flaky


def test_the_same_pool_and_seed_give_the_same_team_whatever_the_pool_order():
    seed = seed_new()
    pool = list(range(1, 41))
    first = draw_team(pool=pool, seed=seed, team_size=3, qualified=pool[::3])
    again = draw_team(pool=list(reversed(pool)), seed=seed, team_size=3, qualified=pool[::3])
    assert first == again
    assert len(set(first.team)) == 3 and first.lead == first.team[0]
    assert first.lead in pool[::3]


def test_the_rank_is_hmac_sha256_of_the_id_under_the_seed():
    # A published construction: anyone can recompute it with any HMAC library.
    import hashlib
    import hmac

    assert rank("ab" * 32, 7) == hmac.new(bytes.fromhex("ab" * 32), b"7",
                                          hashlib.sha256).digest()


def test_over_many_seeds_every_reviewer_is_drawn_about_equally_often():
    pool = list(range(100, 120))
    counts = Counter(reviewer for seed in SEEDS
                     for reviewer in draw_team(pool=pool, seed=seed, team_size=3,
                                               qualified=pool).team)
    expected = len(SEEDS) * 3 / len(pool)  # 450
    assert set(counts) == set(pool)
    # Pearson's chi-square over 20 cells (19 degrees of freedom): the 0.1 % critical value
    # is 43.8.
    chi_square = sum((counts[r] - expected) ** 2 / expected for r in pool)
    assert chi_square < 43.8, counts
    assert max(counts.values()) / min(counts.values()) < 1.35, counts


def test_the_lead_is_drawn_evenly_among_those_qualified_to_lead():
    pool = list(range(1, 31))
    qualified = [2, 5, 11, 17, 23]
    leads = Counter(draw_team(pool=pool, seed=seed, team_size=3, qualified=qualified).lead
                    for seed in SEEDS)
    assert set(leads) == set(qualified)
    assert max(leads.values()) / min(leads.values()) < 1.3, leads


def test_too_small_a_pool_refuses_with_a_clear_message():
    with pytest.raises(ReviewError, match="评审组需要 3 人，符合条件的评审员只剩 2 名"):
        draw_team(pool=[1, 2], seed=seed_new(), team_size=3, qualified=[1, 2])
    with pytest.raises(ReviewError, match="没有人具备担任组长的资格"):
        draw_team(pool=[1, 2, 3], seed=seed_new(), team_size=3, qualified=[9])


def test_a_redraw_never_returns_someone_left_out():
    pool = list(range(1, 11))
    for seed in SEEDS[:200]:
        result = draw_team(pool=pool, seed=seed, team_size=1, qualified=pool, draws_lead=False,
                           exclude=[1, 2, 3, 4])
        assert result.team[0] not in {1, 2, 3, 4} and result.lead is None
