"""Events exams emits for apps that depend on it (certification listens; exams never imports it).

attempt_passed: sent once, after the transaction that scored the attempt commits, for a pass on
an eligible attempt. Keyword arguments:
    attempt_id: int, user_id: int, exam_id: int, score_percent: Decimal (e.g. Decimal("72.50")),
    passed_at: datetime
"""

from django.dispatch import Signal

attempt_passed = Signal()
