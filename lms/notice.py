"""The payment notice (付款通知书): a printable PDF a trainee hands to their company's finance
department for a bank transfer. WeasyPrint with the Noto CJK fonts, as the certificate."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .models import Enrolment
from .selectors import PaymentNotice, payment_notice


def payment_notice_pdf(notice: PaymentNotice) -> bytes:
    from weasyprint import HTML

    with translation.override("zh-hans"):  # for a Chinese company's finance department
        html = render_to_string("lms/payment_notice.html", {"notice": notice})
    return HTML(string=html).write_pdf()


def payment_notice_response(enrolment: Enrolment) -> HttpResponse:
    """The notice for the enrolment's open bank transfer, as a download (404 when none); the
    page and the API both answer with it, after checking the enrolment is the caller's."""
    notice = payment_notice(enrolment=enrolment)
    if notice is None:
        raise Http404
    response = HttpResponse(payment_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="payment-notice-{enrolment.reference}.pdf"')
    return response
