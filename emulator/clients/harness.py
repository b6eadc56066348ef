"""What the Python client tests share: the emulator's address, the expectations table, the
admin API, and a tiny runner that prints one line per check and the 'N passed, N failed' total.

Uses the standard library only, so it runs unchanged in each client's own virtualenv.
"""

import json
import os
import re
import sys
import traceback
import urllib.request

ENDPOINT = os.environ["EMULATOR_ENDPOINT"]  # host:port, no scheme
HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "expectations.json"), encoding="utf-8") as f:
    EXPECT = json.load(f)
REGION = EXPECT["region"]
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

# No proxy, whatever the environment says: the emulator is on this machine.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def admin(method, path, body=None):
    """Calls the emulator's admin API; returns the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    # JSON, said so: the admin API refuses the form type urllib would default to (a browser
    # could send that one cross-site).
    headers = {} if data is None else {"Content-Type": "application/json"}
    request = urllib.request.Request(
        f"http://{ENDPOINT}/_emulator/{path}", data=data, method=method, headers=headers
    )
    with _opener.open(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def reset():
    admin("POST", "reset", {})


def world_image(image_id):
    """The image as the admin API's world shows it, or None."""
    images = admin("GET", "world")["store"]["images"]
    return next((i for i in images if i["id"] == image_id), None)


class Runner:
    def __init__(self, client):
        self.client = client
        self.passed = 0
        self.failed = 0

    def check(self, name, fn):
        try:
            fn()
        except Exception as e:  # a failed check of any kind is reported, never fatal
            self.failed += 1
            print(f"not ok - {self.client}: {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=3, file=sys.stdout)
        else:
            self.passed += 1
            print(f"ok - {self.client}: {name}")

    def finish(self):
        print(f"{self.client}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def equal(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def request_id(value, what="request id"):
    if not isinstance(value, str) or not UUID.match(value):
        raise AssertionError(f"{what}: expected an uppercase UUID, got {value!r}")
    return value


def blocker(name):
    """The expected (status, code, message) of a blocker, from the expectations table."""
    case = next(c for c in EXPECT["refusals"] if c["name"] == name)
    return case["status"], case["code"], case["message"]


def complete(query=""):
    """Finishes running tasks and CreateImage creations through the admin API."""
    return admin("POST", f"tasks/complete{query}")


class Lifecycle:
    """Runs named steps in order as checks; once a step fails, the rest are reported as
    skipped failures (they depend on it)."""

    def __init__(self, run):
        self.run = run
        self.broken = None

    def step(self, name, fn):
        if self.broken:
            def skipped():
                raise AssertionError(f"not run: step {self.broken!r} failed")
            self.run.check(f"lifecycle: {name}", skipped)
            return
        before = self.run.failed
        self.run.check(f"lifecycle: {name}", fn)
        if self.run.failed != before:
            self.broken = name
