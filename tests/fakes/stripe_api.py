"""A fake Stripe on localhost, for tests and for `make run` without a network.

It answers over real HTTP the calls `lms/payments/stripe_checkout.py` makes (Checkout Sessions:
create, retrieve, expire; Refunds: create), serves a hosted "checkout page" where the person pays,
and then delivers `checkout.session.completed` to the platform's webhook, signed the way Stripe
signs (`Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">`). The platform reaches
it through `STRIPE_API_BASE`, so the SDK, its HTTP client and the signature check are the real ones.

    python -m tests.fakes.stripe_api --port 12111 \\
        --webhook-url http://127.0.0.1:8000/training/stripe/webhook/ --webhook-secret whsec_local
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

Response = tuple[str, int, dict[str, str]]


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe computes: HMAC-SHA256 of "<t>.<body>"."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event_body(event_type: str, obj: dict[str, Any], *, event_id: str, api_version: str) -> bytes:
    """An event as Stripe delivers it to a webhook endpoint."""
    return json.dumps({
        "id": event_id, "object": "event", "type": event_type, "api_version": api_version,
        "created": int(time.time()), "data": {"object": obj}, "livemode": False,
    }).encode()


class FakeStripe:
    """Stripe's API for Checkout Sessions and Refunds, held in memory, served on 127.0.0.1."""

    def __init__(self, *, port: int = 0, webhook_url: str = "", webhook_secret: str = "",
                 api_version: str = "") -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.api_version = api_version
        self.sessions: dict[str, dict[str, Any]] = {}
        self.success_urls: dict[str, tuple[str, str]] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.refunds: list[dict[str, Any]] = []
        # What the platform's webhook answered each delivery: (status, body).
        self.deliveries: list[tuple[int, str]] = []
        self.fail_refunds = False
        self._n = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        # A short poll so that stop() returns at once (between tests).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- the API ---------------------------------------------------------------------------
    @staticmethod
    def _json(body: Any, status: int = 200) -> Response:
        return json.dumps(body), status, {"Request-Id": "req_fake",
                                          "Content-Type": "application/json"}

    @classmethod
    def _error(cls, kind: str, message: str, status: int) -> Response:
        return cls._json({"error": {"type": kind, "message": message}}, status)

    def handle(self, method: str, url: str, headers: dict[str, str], body: str) -> Response:
        parts = urlsplit(url)
        path = parts.path
        params = parse_qs(body) if method == "post" else parse_qs(parts.query)
        self.requests.append((method, path, params))
        if not headers.get("Authorization", "").startswith("Bearer sk_"):
            return self._error("invalid_request_error", "No valid API key provided.", 401)
        if method == "post" and path == "/v1/checkout/sessions":
            return self._json(self._session_create(params))
        if path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.split("/")[4])
            if session is None:
                return self._error("invalid_request_error", "No such session", 404)
            if method == "post" and path.endswith("/expire"):
                if session["status"] != "open":
                    return self._error("invalid_request_error", "Session is not open", 400)
                session["status"] = "expired"
            return self._json(session)
        if method == "post" and path == "/v1/refunds":
            if self.fail_refunds:
                return self._error("api_error", "Stripe down", 500)
            refund = {"id": f"re_test_{next(self._n):04d}", "object": "refund",
                      "status": "succeeded", "amount": int(params["amount"][0]),
                      "payment_intent": params["payment_intent"][0], "currency": "cny"}
            self.refunds.append(refund)
            return self._json(refund)
        return self._error("invalid_request_error", f"Unrecognized request URL: {path}", 404)

    def _session_create(self, params: dict[str, list[str]]) -> dict[str, Any]:
        session_id = f"cs_test_{next(self._n):04d}"
        session = {
            "id": session_id, "object": "checkout.session", "status": "open",
            "payment_status": "unpaid", "currency": params["currency"][0],
            "amount_total": int(params["line_items[0][price_data][unit_amount]"][0]),
            "expires_at": int(params["expires_at"][0]),
            "url": f"{self.url}/c/pay/{session_id}",
            "client_reference_id": params["client_reference_id"][0],
            "payment_intent": None, "livemode": False,
        }
        self.sessions[session_id] = session
        self.success_urls[session_id] = (params["success_url"][0], params["cancel_url"][0])
        return session

    # --- what happens at Stripe ------------------------------------------------------------
    def pay(self, session_id: str, method: str = "alipay") -> None:
        """The person pays (no event is sent)."""
        n = next(self._n)
        self.sessions[session_id].update(
            status="complete", payment_status="paid",
            payment_intent={"id": f"pi_test_{n:04d}", "object": "payment_intent",
                            "payment_method": {"id": f"pm_{n}", "object": "payment_method",
                                               "type": method}},
        )

    def expire(self, session_id: str) -> None:
        self.sessions[session_id]["status"] = "expired"

    def deliver(self, event_type: str, session_id: str) -> tuple[int, str]:
        """POST a signed event about the session to the webhook, as Stripe does."""
        body = event_body(event_type, self.sessions[session_id],
                          event_id=f"evt_fake_{next(self._n):06d}", api_version=self.api_version)
        answer = requests.post(self.webhook_url, data=body, timeout=30, headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": stripe_signature(body, self.webhook_secret),
        })
        result = (answer.status_code, answer.text)
        self.deliveries.append(result)
        return result

    def complete(self, session_id: str, method: str = "alipay") -> str:
        """The person pays on the checkout page: the session completes, the webhook is told,
        and the browser is sent back to the platform's success URL."""
        self.pay(session_id, method)
        if self.webhook_url:
            self.deliver("checkout.session.completed", session_id)
        return self.success_urls[session_id][0].replace("{CHECKOUT_SESSION_ID}", session_id)

    def checkout_page(self, session_id: str) -> str:
        session = self.sessions[session_id]
        amount = f"¥{session['amount_total'] / 100:.2f}"
        cancel = html.escape(self.success_urls[session_id][1])
        buttons = "".join(
            f'<button name="method" value="{m}">Pay {amount} with {m}</button> '
            for m in ("alipay", "wechat_pay", "card"))
        return (f"<!doctype html><title>Fake Stripe Checkout</title><h1>{amount}</h1>"
                f'<p>{html.escape(session_id)} (fake Stripe, no money moves)</p>'
                f'<form method="post">{buttons}</form><p><a href="{cancel}">Back</a></p>')


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, body: str, status: int, headers: dict[str, str]) -> None:
            data = body.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path = urlsplit(self.path).path
            if path.startswith("/c/pay/") and path.split("/")[3] in fake.sessions:
                session_id = path.split("/")[3]
                if method == "get":
                    self._send(fake.checkout_page(session_id), 200,
                               {"Content-Type": "text/html; charset=utf-8"})
                else:
                    chosen = parse_qs(body).get("method", ["alipay"])[0]
                    self._send("", 303, {"Location": fake.complete(session_id, chosen)})
                return
            self._send(*fake.handle(method, self.path, dict(self.headers), body))

        def do_GET(self) -> None:
            self._serve("get")

        def do_POST(self) -> None:
            self._serve("post")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def main() -> None:
    import stripe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/training/stripe/webhook/")
    parser.add_argument("--webhook-secret", required=True, help="the platform's STRIPE_WEBHOOK_SECRET")
    args = parser.parse_args()
    fake = FakeStripe(port=args.port, webhook_url=args.webhook_url,
                      webhook_secret=args.webhook_secret, api_version=stripe.api_version)
    print(f"fake Stripe on {fake.url}: STRIPE_API_BASE={fake.url}; "
          f"events go to {fake.webhook_url}", flush=True)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
