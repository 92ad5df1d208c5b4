"""Item analysis for exam admins: difficulty, discrimination, reliability, score distribution.

Statistics are descriptive, so they use floats (scores themselves stay exact).
- difficulty p: share of the attempts that saw the item and got it fully right;
- discrimination: corrected item-total point-biserial correlation, between the item (1/0) and
  the rest of the paper (share right on the other items), over the attempts that saw it;
- KR-20 = k/(k−1) · (1 − Σ p·q / σ²), k the paper length, σ² the population variance of the
  raw totals. With papers drawn from a larger bank it is an approximation (each p over the
  attempts that saw the item).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import AttemptQuestion, AttemptState, Exam
from .services import attempts_submit_expired


@dataclass
class ItemStats:
    question_id: int
    code: str
    module_number: int
    n: int
    difficulty: float | None
    discrimination: float | None
    flags: list[str]


@dataclass
class ExamStats:
    attempts: int
    items: list[ItemStats]
    kr20: float | None
    scores: list[float]  # percent per attempt
    mean: float | None
    pass_rate: float | None


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def exam_statistics(exam: Exam) -> ExamStats:
    # Attempts abandoned past their deadline count, closed as the deadline rule closes them.
    attempts_submit_expired()
    easy = getattr(settings, "EXAMS_FLAG_EASY", 0.90)
    hard = getattr(settings, "EXAMS_FLAG_HARD", 0.20)
    rows = (
        AttemptQuestion.objects.filter(attempt__exam=exam, attempt__state=AttemptState.SUBMITTED,
                                       voided=False)
        .values_list("attempt_id", "question_id", "question__code", "module_number", "is_correct")
    )
    per_attempt: dict[int, dict[int, int]] = defaultdict(dict)
    meta: dict[int, tuple[str, int]] = {}
    for attempt_id, question_id, code, module, correct in rows:
        per_attempt[attempt_id][question_id] = 1 if correct else 0
        meta[question_id] = (code, module)
    totals = {a: sum(v.values()) for a, v in per_attempt.items()}
    lengths = {a: len(v) for a, v in per_attempt.items()}
    items: list[ItemStats] = []
    pq_sum = 0.0
    for question_id, (code, module) in sorted(meta.items(), key=lambda kv: (kv[1][1], kv[1][0])):
        xs, ys = [], []
        for attempt_id, answers in per_attempt.items():
            if question_id not in answers:
                continue
            x = answers[question_id]
            rest_len = lengths[attempt_id] - 1
            xs.append(float(x))
            ys.append((totals[attempt_id] - x) / rest_len if rest_len else 0.0)
        p = sum(xs) / len(xs) if xs else None
        r = _pearson(xs, ys)
        flags = []
        if p is not None and p > easy:
            flags.append(_("too easy"))
        if p is not None and p < hard:
            flags.append(_("too hard"))
        if r is not None and r < 0:
            flags.append(_("negative discrimination"))
        if p is not None:
            pq_sum += p * (1 - p)
        items.append(ItemStats(question_id, code, module, len(xs), p, r, flags))
    n = len(totals)
    kr20 = None
    if n >= 2:
        k = sum(lengths.values()) / n
        values = list(totals.values())
        mean = sum(values) / n
        variance = sum((t - mean) ** 2 for t in values) / n
        if k > 1 and variance > 0:
            kr20 = (k / (k - 1)) * (1 - pq_sum / variance)
    attempts = list(exam.attempts.filter(state=AttemptState.SUBMITTED)
                    .values_list("score_percent", "passed"))
    scores = [float(s) for s, _p in attempts if s is not None]
    return ExamStats(
        attempts=len(attempts),
        items=items,
        kr20=kr20,
        scores=scores,
        mean=sum(scores) / len(scores) if scores else None,
        pass_rate=sum(1 for _s, p in attempts if p) / len(attempts) if attempts else None,
    )


def score_histogram(scores: list[float], bins: int = 10) -> list[int]:
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, int(score // (100 / bins)))] += 1
    return counts


def score_distribution_svg(scores: list[float], pass_mark: float) -> str:
    """A bar chart of scores in 10-point bands, as inline SVG (no JavaScript, no CDN)."""
    counts = score_histogram(scores)
    width, height, left, bottom, top = 560, 240, 36, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(counts) or 1
    bar_w = plot_w / len(counts)
    title = escape(_("Score distribution"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="dist-title" class="chart"><title id="dist-title">{title}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        'stroke="#5b6776"/>',
    ]
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 4:.1f}" '
            f'height="{h:.1f}" fill="#0b5cab">'
            f"<title>{i * 10}–{i * 10 + 10}%: {count}</title></rect>"
        )
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                         f'font-size="11" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" font-size="11">{i * 10}</text>')
    mark_x = left + plot_w * pass_mark / 100
    parts.append(f'<line x1="{mark_x:.1f}" y1="{top}" x2="{mark_x:.1f}" y2="{top + plot_h}" '
                 'stroke="#b3261e" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)
