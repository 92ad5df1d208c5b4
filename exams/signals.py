"""Events exams emits for apps that depend on it (certification listens; exams never imports it).

attempt_passed: sent once, after the transaction that scored the attempt commits, for a pass on
an eligible attempt. Keyword arguments:
    attempt_id: int, user_id: int, exam_id: int, score_percent: Decimal (e.g. Decimal("72.50")),
    passed_at: datetime

attempt_pass_withdrawn: sent once, after the transaction commits, when a regrade (a voided
question) turns a pass that was announced with attempt_passed into a fail; should a later regrade
make it a pass again, attempt_passed is sent again for it. Keyword arguments:
    attempt_id: int, user_id: int, exam_id: int, score_percent: Decimal, reason: str
"""

from django.dispatch import Signal

attempt_passed = Signal()
attempt_pass_withdrawn = Signal()
