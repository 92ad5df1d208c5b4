"""The site's URLs plus pages that exercise the policy in the browser: one that breaks it, and
one in the shape of "pay by card" (a form posting to our view, which redirects to Stripe
Checkout, as `lms.views.enrolment_pay_stripe` does)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as site_urlpatterns

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_probe"


def inline_script_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!DOCTYPE html><html><head><title>probe</title></head><body>"
        '<p id="status">inline script blocked</p>'
        "<script>document.getElementById('status').textContent = 'inline script ran';</script>"
        "</body></html>"
    )


@csrf_exempt
def checkout_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return redirect(CHECKOUT_URL)
    return HttpResponse(
        "<!DOCTYPE html><html><head><title>pay</title></head><body>"
        '<form method="post" action="/checkout-probe/"><button type="submit">Pay</button></form>'
        "</body></html>"
    )


urlpatterns = [
    path("csp-probe/", inline_script_page),
    path("checkout-probe/", checkout_page),
    *site_urlpatterns,
]
