"""The official Midtrans Python SDK (PyPI midtransclient, pinned in requirements.txt) against
the local simulator: the real binary on a free loopback port, its notifications posted to a
server of this test. Each call must answer as Midtrans' docs say, each notification the
simulator delivered must verify with the server key, and the SDK's notification helper (which
asks the status API) must agree with it. Prints one line per call at the end.

Run with the virtualenv `scripts/setup.sh --test` makes:
    target/sdk-venv/bin/python -m unittest discover -s tests/sdk -v
"""

import hashlib
import http.server
import json
import os
import pathlib
import re
import secrets
import subprocess
import threading
import time
import unittest
import urllib.request

import midtransclient
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "target" / "debug" / "gopay-simulator"
SERVER_KEY = "SB-Mid-server-SDK-" + secrets.token_hex(6)
RUN = secrets.token_hex(3)
UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
JAKARTA_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
CANNOT_MODIFY = "Merchant cannot modify the status of the transaction"
NOT_FOUND = "Transaction doesn't exist."

notifications = []
notifications_lock = threading.Lock()
calls = []


class Merchant(http.server.BaseHTTPRequestHandler):
    """Records every notification and answers 200, as a merchant that took it."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with notifications_lock:
            notifications.append(json.loads(body))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, *args):
        pass


class RecordingRequests:
    """`requests` as the SDK calls it, remembering the HTTP status of the last answer."""

    def __init__(self):
        self.last_status = None

    def request(self, *args, **kwargs):
        response = requests.request(*args, **kwargs)
        self.last_status = response.status_code
        return response


def core_api(base_url, server_key=SERVER_KEY):
    core = midtransclient.CoreApi(is_production=False, server_key=server_key, client_key="")
    # The base URLs are class attributes of the SDK's config: one set on the instance wins.
    core.api_config.CORE_SANDBOX_BASE_URL = base_url
    core.http_client.http_client = RecordingRequests()
    return core


def signature(body, key=SERVER_KEY):
    text = body["order_id"] + body["status_code"] + body["gross_amount"] + key
    return hashlib.sha512(text.encode()).hexdigest()


def order_id(tag):
    return f"SDK-PY-{RUN}-{tag}"


def qris_charge(order, amount):
    return {
        "payment_type": "qris",
        "transaction_details": {"order_id": order, "gross_amount": amount},
        "qris": {"acquirer": "gopay"},
    }


def gopay_charge(order, amount):
    return {
        "payment_type": "gopay",
        "transaction_details": {"order_id": order, "gross_amount": amount},
        "item_details": [{"id": "tee", "price": amount, "quantity": 1, "name": "Batik tee"}],
        "customer_details": {"first_name": "Budi", "email": "budi@example.com"},
        "gopay": {"enable_callback": True, "callback_url": "https://shop.example/return"},
    }


class PythonSdkAgainstSimulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SIMULATOR.exists():
            raise unittest.SkipTest(f"{SIMULATOR} is missing: run cargo build -p gopay-simulator")
        cls.merchant = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Merchant)
        threading.Thread(target=cls.merchant.serve_forever, daemon=True).start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MIDTRANS_", "SIMULATOR_"))}
        env.update(
            SIMULATOR_ADDR="127.0.0.1:0",
            SIMULATOR_NOTIFY_URL=f"http://127.0.0.1:{cls.merchant.server_address[1]}/notification",
            MIDTRANS_SERVER_KEY=SERVER_KEY,
        )
        cls.simulator = subprocess.Popen(
            [str(SIMULATOR)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        first = cls.simulator.stdout.readline()
        found = re.search(r"Midtrans simulator: (http://127\.0\.0\.1:\d+)/", first)
        if not found:
            cls.simulator.kill()
            raise RuntimeError(f"simulator did not start: {first}")
        cls.base = found.group(1)
        # Keep reading its log so a full pipe never blocks it.
        threading.Thread(target=cls.simulator.stdout.read, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.simulator.terminate()
        cls.simulator.wait(timeout=10)
        cls.merchant.shutdown()
        cls.merchant.server_close()
        width = max(len(c["call"]) for c in calls)
        print(f"\nmidtransclient against the simulator ({len(calls)} calls)")
        print(f"{'call'.ljust(width)}  HTTP  status_code  transaction_status  ok")
        for c in calls:
            print(
                f"{c['call'].ljust(width)}  {str(c['http']).ljust(4)}  {str(c['code']).ljust(11)}  "
                f"{str(c['status']).ljust(18)}  {'ok' if c['ok'] else 'FAILED'}"
            )

    def setUp(self):
        self.core = core_api(self.base)

    # -- helpers -------------------------------------------------------------------------------

    def call(self, name, run, check, core=None):
        """Runs one SDK call, checks its answer with `check` and records a line of the table."""
        core = core or self.core
        line = {"call": name, "http": "-", "code": "-", "status": "-", "ok": False}
        calls.append(line)
        recorder = core.http_client.http_client
        recorder.last_status = None
        try:
            answer = run()
        except midtransclient.error_midtrans.MidtransAPIError as error:
            line["http"] = recorder.last_status
            line["code"] = (error.api_response_dict or {}).get("status_code", "-")
            check(error)
            line["ok"] = True
            return error
        line.update(
            http=recorder.last_status,
            code=answer.get("status_code"),
            status=answer.get("transaction_status", "-"),
        )
        check(answer)
        line["ok"] = True
        return answer

    def midtrans_error(self, http, message):
        """A check for Midtrans' error JSON of this HTTP status and status_code."""

        def check(error):
            self.assertIsInstance(error, midtransclient.error_midtrans.MidtransAPIError)
            self.assertEqual(error.http_status_code, http)
            self.assertEqual(error.api_response_dict["status_code"], str(http))
            self.assertEqual(error.api_response_dict["status_message"], message)
            self.assertRegex(error.api_response_dict["id"], UUID_V4)

        return check

    def pending_charge(self, kind):
        def check(answer):
            self.assertEqual(answer["status_code"], "201")
            self.assertEqual(answer["transaction_status"], "pending")
            self.assertEqual(answer["payment_type"], kind)
            self.assertEqual(answer["fraud_status"], "accept")
            self.assertRegex(answer["gross_amount"], r"^\d+\.00$")
            self.assertRegex(answer["transaction_id"], UUID_V4)
            self.assertRegex(answer["transaction_time"], JAKARTA_TIME)
            self.assertRegex(answer["expiry_time"], JAKARTA_TIME)

        return check

    def assert_signed(self, body):
        self.assertEqual(body["signature_key"], signature(body), body)

    def delivered(self, order, status, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            with notifications_lock:
                found = [
                    n
                    for n in notifications
                    if n["order_id"] == order and n["transaction_status"] == status
                ]
                seen = [n["transaction_status"] for n in notifications if n["order_id"] == order]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                self.fail(f"no {status} notification for {order}; got {seen}")
            time.sleep(0.025)

    def notified(self, order, status, code, status_api_code=None):
        """Waits for the notification, checks its signature and code, and hands it to the SDK's
        notification helper, whose status API answer must say the same."""
        body = self.delivered(order, status)
        self.assertEqual(body["status_code"], code, body)
        self.assertEqual(body["status_message"], "midtrans payment notification")
        self.assert_signed(body)

        def check(answer):
            self.assertEqual(answer["transaction_status"], status)
            self.assertEqual(answer["status_code"], status_api_code or code)
            self.assertEqual(answer["order_id"], order)
            self.assertEqual(answer["transaction_id"], body["transaction_id"])
            self.assert_signed(answer)

        self.call(
            f"transactions.notification({status})",
            lambda: self.core.transactions.notification(body),
            check,
        )
        return body

    def pay(self, order):
        request = urllib.request.Request(
            f"{self.base}/simulator/transactions/{order}/pay", method="POST"
        )
        with urllib.request.urlopen(request) as response:
            self.assertEqual(response.status, 200)

    def statuses(self, order):
        with notifications_lock:
            return [n["transaction_status"] for n in notifications if n["order_id"] == order]

    # -- the calls -----------------------------------------------------------------------------

    def test_gopay_charge_status_by_order_id_and_cancel(self):
        order = order_id("gopay")

        def created(answer):
            self.pending_charge("gopay")(answer)
            self.assertEqual(answer["status_message"], "GoPay transaction is created")
            self.assertEqual(answer["channel_response_code"], "200")
            self.assertEqual(answer["channel_response_message"], "Success")
            names = [a["name"] for a in answer["actions"]]
            for name in ["generate-qr-code", "deeplink-redirect", "get-status", "cancel"]:
                self.assertIn(name, names)

        charge = self.call(
            "charge(gopay)", lambda: self.core.charge(gopay_charge(order, 25_000)), created
        )
        self.notified(order, "pending", "201")

        def pending(answer):
            self.assertEqual(answer["status_code"], "201")
            self.assertEqual(answer["transaction_status"], "pending")
            self.assertEqual(answer["transaction_id"], charge["transaction_id"])
            self.assert_signed(answer)

        self.call(
            "transactions.status(order_id)", lambda: self.core.transactions.status(order), pending
        )

        def cancelled(answer):
            self.assertEqual(answer["status_code"], "200")
            self.assertEqual(answer["transaction_status"], "cancel")
            self.assertEqual(answer["order_id"], order)

        self.call("transactions.cancel", lambda: self.core.transactions.cancel(order), cancelled)
        # Midtrans signs a cancel with 200.
        self.notified(order, "cancel", "200")
        self.call(
            "transactions.expire(cancelled)",
            lambda: self.core.transactions.expire(order),
            self.midtrans_error(412, CANNOT_MODIFY),
        )
        self.assertEqual(self.statuses(order), ["pending", "cancel"])

    def test_qris_charge_status_by_transaction_id_and_expire(self):
        order = order_id("qris")

        def created(answer):
            self.pending_charge("qris")(answer)
            self.assertEqual(answer["status_message"], "QRIS transaction is created")
            self.assertEqual(answer["acquirer"], "gopay")
            self.assertTrue(answer["qr_string"].startswith("000201"))
            self.assertIn("5409789000.00", answer["qr_string"])
            self.assertEqual([a["name"] for a in answer["actions"]], ["generate-qr-code"])

        charge = self.call(
            "charge(qris)", lambda: self.core.charge(qris_charge(order, 789_000)), created
        )
        self.notified(order, "pending", "201")
        tid = charge["transaction_id"]

        def pending(answer):
            self.assertEqual(answer["status_code"], "201")
            self.assertEqual(answer["order_id"], order)
            self.assertEqual(answer["acquirer"], "gopay")
            self.assert_signed(answer)

        self.call(
            "transactions.status(transaction_id)",
            lambda: self.core.transactions.status(tid),
            pending,
        )

        # Midtrans answers an expire with status code 407 and HTTP 200, which the SDK takes
        # as a success.
        def expired(answer):
            self.assertEqual(self.core.http_client.http_client.last_status, 200)
            self.assertEqual(answer["status_code"], "407")
            self.assertEqual(answer["status_message"], "Success, transaction has expired")
            self.assertEqual(answer["transaction_status"], "expire")
            self.assertEqual(answer["gross_amount"], "789000.00")

        self.call("transactions.expire", lambda: self.core.transactions.expire(tid), expired)
        self.notified(order, "expire", "202", "407")
        self.assertEqual(self.statuses(order), ["pending", "expire"])

    def test_refund_in_two_parts_after_a_payment(self):
        order = order_id("refund")
        self.call(
            "charge(qris)",
            lambda: self.core.charge(qris_charge(order, 50_000)),
            self.pending_charge("qris"),
        )
        self.notified(order, "pending", "201")
        self.pay(order)
        settlement = self.notified(order, "settlement", "200")
        self.assertRegex(settlement["settlement_time"], JAKARTA_TIME)

        def partial(answer):
            self.assertEqual(answer["status_code"], "200")
            self.assertEqual(answer["transaction_status"], "partial_refund")
            self.assertEqual(answer["refund_amount"], "20000.00")
            self.assertEqual(answer["refund_key"], f"{order}-r1")

        self.call(
            "transactions.refund(part)",
            lambda: self.core.transactions.refund(
                order,
                {"refund_key": f"{order}-r1", "amount": 20_000, "reason": "one item out of stock"},
            ),
            partial,
        )
        refunded = self.notified(order, "partial_refund", "200")
        self.assertEqual(refunded["signature_key"], settlement["signature_key"])

        def whole(answer):
            self.assertEqual(answer["transaction_status"], "refund")
            self.assertEqual(answer["refund_amount"], "30000.00")

        self.call(
            "transactions.refund(rest)",
            lambda: self.core.transactions.refund(order, {"refund_key": f"{order}-r2"}),
            whole,
        )
        self.notified(order, "refund", "200")
        self.call(
            "transactions.refund(nothing left)",
            lambda: self.core.transactions.refund(order, {"amount": 1}),
            self.midtrans_error(412, CANNOT_MODIFY),
        )
        self.assertEqual(
            self.statuses(order), ["pending", "settlement", "partial_refund", "refund"]
        )

    def test_errors_come_back_as_midtrans_errors(self):
        self.call(
            "transactions.status(unknown)",
            lambda: self.core.transactions.status(order_id("nobody")),
            self.midtrans_error(404, NOT_FOUND),
        )
        self.call(
            "transactions.expire(unknown)",
            lambda: self.core.transactions.expire(order_id("nobody")),
            self.midtrans_error(404, NOT_FOUND),
        )
        stranger = core_api(self.base, "SB-Mid-server-NOT-THIS-ONE")
        self.call(
            "charge(wrong server key)",
            lambda: stranger.charge(qris_charge(order_id("stranger"), 1_000)),
            self.midtrans_error(
                401, "Transaction cannot be authorized with the current client/server key."
            ),
            core=stranger,
        )
        order = order_id("twice")
        self.call(
            "charge(qris)",
            lambda: self.core.charge(qris_charge(order, 1_000)),
            self.pending_charge("qris"),
        )
        # The first charge stands: its pending notification, signed, and no other.
        self.assert_signed(self.delivered(order, "pending"))
        self.call(
            "charge(same order_id)",
            lambda: self.core.charge(qris_charge(order, 1_000)),
            self.midtrans_error(
                406,
                "The request could not be completed due to a conflict with the current state "
                "of the target resource, please try again",
            ),
        )
        # The SDK's own HTTP client on paths and methods Midtrans has no endpoint for.
        client = self.core.http_client
        self.call(
            "GET /v2/charge",
            lambda: client.request("get", SERVER_KEY, f"{self.base}/v2/charge")[0],
            self.midtrans_error(405, "HTTP method is not allowed"),
        )
        self.call(
            "POST /v2/{id}/unknown",
            lambda: client.request("post", SERVER_KEY, f"{self.base}/v2/{order}/unknown")[0],
            self.midtrans_error(404, "The requested resource is not found"),
        )


if __name__ == "__main__":
    unittest.main()
