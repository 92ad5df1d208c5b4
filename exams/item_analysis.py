"""Item analysis for exam admins: facility, discrimination, reliability, score distribution.

Statistics are descriptive, so they use floats (scores themselves stay exact). Every figure
states its n, and the page warns when the sample is below `EXAMS_STATS_MIN_ATTEMPTS` (30
submitted attempts by default): below that, item figures move by whole bands with one candidate.
- facility p: share of the attempts that saw the item and got it fully right;
- discrimination: corrected item-total point-biserial correlation, between the item (1/0) and
  the rest of the paper (share right on the other items), over the attempts that saw it;
- KR-20 = k/(k−1) · (1 − Σ p·q / σ²), computed on the k questions that **every** submitted
  paper contained (papers are drawn from the bank, so each candidate answers a different
  subset; the items outside that common set are left out of KR-20, not of the item table).
  p, q and σ² (population variance of the totals on those k items) are all over the same n
  attempts, which keeps KR-20 ≤ 1: σ² of a sum of k items is at most k·Σ p·q (Cauchy–Schwarz),
  so 1 − Σpq/σ² ≤ (k−1)/k. Fewer than 2 common items, fewer than 2 attempts or σ² = 0: no
  KR-20, and the page says why.
- Guidance ranges for facility and discrimination are Moodle's (quiz statistics report).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AttemptQuestion, AttemptState, Exam, Question
from .services import attempts_submit_expired

# Moodle's guidance for the facility index (percent right): upper bound → meaning.
FACILITY_GUIDANCE = [
    (5, gettext_lazy("Extremely difficult or something wrong with the question")),
    (10, gettext_lazy("Very difficult")),
    (20, gettext_lazy("Difficult")),
    (34, gettext_lazy("Moderately difficult")),
    (64, gettext_lazy("About right for the average candidate")),
    (80, gettext_lazy("Fairly easy")),
    (89, gettext_lazy("Easy")),
    (94, gettext_lazy("Very easy")),
    (100, gettext_lazy("Extremely easy")),
]
# Moodle's guidance for the discrimination index (correlation × 100): lower bound → meaning.
DISCRIMINATION_GUIDANCE = [
    (50, gettext_lazy("Very good discrimination")),
    (30, gettext_lazy("Adequate discrimination")),
    (20, gettext_lazy("Weak discrimination")),
    (0, gettext_lazy("Very weak discrimination")),
    (-100, gettext_lazy("Question probably invalid")),
]


def facility_guidance(p: float | None) -> str:
    if p is None:
        return ""
    percent = p * 100
    return next(str(label) for bound, label in FACILITY_GUIDANCE if percent <= bound + 1e-9)


def discrimination_guidance(r: float | None) -> str:
    if r is None:
        return ""
    index = r * 100
    return next((str(label) for bound, label in DISCRIMINATION_GUIDANCE if index >= bound),
                str(DISCRIMINATION_GUIDANCE[-1][1]))


def min_attempts() -> int:
    return int(getattr(settings, "EXAMS_STATS_MIN_ATTEMPTS", 30))


@dataclass
class ItemStats:
    question_id: int
    code: str
    module_number: int
    n: int
    difficulty: float | None  # the facility p
    discrimination: float | None
    flags: list[str]
    text: str = ""
    kind: str = ""

    @property
    def facility_guidance(self) -> str:
        return facility_guidance(self.difficulty)

    @property
    def discrimination_guidance(self) -> str:
        return discrimination_guidance(self.discrimination)


@dataclass(frozen=True)
class Reliability:
    """KR-20 on the items common to every paper, with what it was computed on."""

    kr20: float | None
    items: int  # k: questions every submitted paper contained
    attempts: int  # n


def kr20(responses: Mapping[Any, Mapping[Any, int]]) -> Reliability:
    """KR-20 of `responses` (attempt → item → 1/0) over the items every attempt answered.

    Always ≤ 1 (see the module's docstring); None when it cannot be computed."""
    n = len(responses)
    if not n:
        return Reliability(None, 0, 0)
    common = set.intersection(*(set(items) for items in responses.values()))
    k = len(common)
    if n < 2 or k < 2:
        return Reliability(None, k, n)
    totals = [sum(items[i] for i in common) for items in responses.values()]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n
    if variance <= 0:
        return Reliability(None, k, n)
    pq = 0.0
    for item in common:
        p = sum(items[item] for items in responses.values()) / n
        pq += p * (1 - p)
    value = (k / (k - 1)) * (1 - pq / variance)
    return Reliability(min(value, 1.0), k, n)  # min: float rounding only


@dataclass
class ExamStats:
    attempts: int
    items: list[ItemStats]
    reliability: Reliability
    scores: list[float]  # percent per attempt
    mean: float | None
    pass_rate: float | None
    min_attempts: int = 30

    @property
    def kr20(self) -> float | None:
        return self.reliability.kr20

    @property
    def small_sample(self) -> bool:
        return self.attempts < self.min_attempts


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
    texts = dict(
        (pk, (text or "", kind)) for pk, text, kind in
        Question.objects.filter(pk__in=meta).values_list("pk", "current_version__text", "kind")
    )
    totals = {a: sum(v.values()) for a, v in per_attempt.items()}
    lengths = {a: len(v) for a, v in per_attempt.items()}
    items: list[ItemStats] = []
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
        text, kind = texts.get(question_id, ("", ""))
        items.append(ItemStats(question_id, code, module, len(xs), p, r, flags, text, kind))
    attempts = list(exam.attempts.filter(state=AttemptState.SUBMITTED)
                    .values_list("score_percent", "passed"))
    scores = [float(s) for s, _p in attempts if s is not None]
    return ExamStats(
        attempts=len(attempts),
        items=items,
        reliability=kr20(per_attempt),
        scores=scores,
        mean=sum(scores) / len(scores) if scores else None,
        pass_rate=sum(1 for _s, p in attempts if p) / len(attempts) if attempts else None,
        min_attempts=min_attempts(),
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
