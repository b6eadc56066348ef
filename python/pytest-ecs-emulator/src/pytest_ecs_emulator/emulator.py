"""Start, drive and stop one ecs-image-emulator process; standard library only.

The binary is, in this order: the ``ECS_EMULATOR_BIN`` environment variable (a path to a prebuilt
binary); else the repository that holds this package or the current directory (or
``ECS_EMULATOR_REPO``), built there with ``cargo build -p ecs-image-emulator`` (``--release``
when ``ECS_EMULATOR_CARGO_PROFILE=release``); else ``ecs-image-emulator`` on ``PATH``.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from .world import World

BINARY_ENV = "ECS_EMULATOR_BIN"
PROGRESS_ENV = "ECS_EMULATOR_PROGRESS"
REPO_ENV = "ECS_EMULATOR_REPO"
CARGO_PROFILE_ENV = "ECS_EMULATOR_CARGO_PROFILE"
PACKAGE = "ecs-image-emulator"

# The admin API talks to 127.0.0.1 directly, whatever proxy the environment names.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorError(Exception):
    """The emulator could not be found, built or started, or its admin API refused a call."""


class AdminError(EmulatorError):
    """An admin API call answered an error: ``status`` and the decoded ``body``."""

    def __init__(self, method, path, status, body):
        self.status = status
        self.body = body
        super().__init__("%s /_emulator/%s: %s %s" % (method, path, status, body))


def _is_repo(path):
    return (os.path.isfile(os.path.join(path, "Cargo.toml"))
            and os.path.isfile(os.path.join(path, "emulator", "Cargo.toml")))


def _find_repo():
    starts = [os.environ.get(REPO_ENV), os.path.dirname(os.path.abspath(__file__)), os.getcwd()]
    for start in filter(None, starts):
        path = os.path.abspath(start)
        while True:
            if _is_repo(path):
                return path
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
    return None


def find_binary():
    """The emulator binary's path, building it when it comes from a checkout."""
    given = os.environ.get(BINARY_ENV)
    if given:
        if not os.access(given, os.X_OK):
            raise EmulatorError("%s=%s is not an executable file" % (BINARY_ENV, given))
        return given
    repo = _find_repo()
    if repo is not None:
        return _build(repo)
    found = shutil.which(PACKAGE)
    if found:
        return found
    raise EmulatorError(
        "no emulator binary: set %s to a prebuilt %s, run from a checkout of the repository "
        "(or set %s to one), or put %s on PATH" % (BINARY_ENV, PACKAGE, REPO_ENV, PACKAGE))


def _build(repo):
    if shutil.which("cargo") is None:
        raise EmulatorError("%s is a checkout but cargo is not on PATH; set %s" % (repo, BINARY_ENV))
    profile = os.environ.get(CARGO_PROFILE_ENV, "debug")
    command = ["cargo", "build", "--quiet", "-p", PACKAGE]
    if profile == "release":
        command.append("--release")
    built = subprocess.run(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if built.returncode != 0:
        raise EmulatorError("cargo build failed:\n" + built.stdout.decode(errors="replace"))
    metadata = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                              cwd=repo, stdout=subprocess.PIPE, check=True)
    target = json.loads(metadata.stdout)["target_directory"]
    binary = os.path.join(target, profile, PACKAGE + (".exe" if sys.platform == "win32" else ""))
    if not os.access(binary, os.X_OK):
        raise EmulatorError("cargo built no %s" % binary)
    return binary


class Emulator:
    """One emulator process on a free port of 127.0.0.1, and its admin API.

    ``world`` (a :class:`World`, a dict or a path), ``profile`` (a dict) and ``progress`` (a
    progress policy, e.g. ``"immediate"``, ``"after:0.2"``, ``"manual"``; the binary's default
    is ``after:1``) are what it starts with and what :meth:`reset` goes back to; without a world
    it starts with the demo world.
    """

    def __init__(self, world=None, profile=None, binary=None, startup_timeout=30.0,
                 progress=None):
        self._dir = tempfile.mkdtemp(prefix="ecs-emulator-")
        self.binary = binary or find_binary()
        command = [self.binary, "--listen", "127.0.0.1:0"]
        if world is not None:
            command += ["--world", self._file("world.json", world)]
        if profile is not None:
            command += ["--profile", self._file("profile.json", profile)]
        if progress is not None:
            command += ["--progress", progress]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECS_EMULATOR_")}
        self.log_path = os.path.join(self._dir, "emulator.log")
        self._log = open(self.log_path, "wb")
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, env=env)
        self.endpoint = self._wait_for_address(startup_timeout)
        self.url = "http://" + self.endpoint
        self._accounts = None
        self.initial_profile = self.profile()
        self.initial_progress = self.progress()

    def _file(self, name, value):
        if isinstance(value, str):
            return value
        if isinstance(value, World):
            value = value.to_dict()
        path = os.path.join(self._dir, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(value, f)
        return path

    def _wait_for_address(self, timeout):
        prefix = "ecs-image-emulator: listening on http://"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith(prefix):
                        return line[len(prefix):].strip()
            if self._process.poll() is not None:
                raise EmulatorError("the emulator exited (%s):\n%s"
                                    % (self._process.returncode, self.output()))
            time.sleep(0.05)
        self.stop()
        raise EmulatorError("the emulator did not start in %ss:\n%s" % (timeout, self.output()))

    def output(self):
        """What the process printed so far."""
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        """Stops the process (SIGTERM, then SIGKILL after 10 s)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- the admin API ----------------------------------------------------------------------

    def admin(self, method, path, body=None, query=None):
        """Calls ``/_emulator/<path>``; returns the decoded JSON answer."""
        url = "%s/_emulator/%s" % (self.url, path)
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        # JSON, said so: the admin API refuses the form type urllib would default to (a
        # browser could send that one cross-site).
        headers = {} if data is None else {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with _opener.open(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = raw.decode(errors="replace")
            raise AdminError(method, path, e.code, decoded) from None

    def reset(self):
        """Back to the starting world, profile and progress policy; empties the request log and
        removes every fault rule."""
        self.admin("POST", "reset", {})
        self.admin("PUT", "profile", self.initial_profile)
        # The emulator's reset keeps the policy in force: a test's set_progress would outlive it.
        self.set_progress(self.initial_progress)
        self._accounts = None

    def world(self):
        """The current world, as a dict."""
        return self.admin("GET", "world")

    def set_world(self, world):
        """Replaces the world (a :class:`World` or a dict) until the next reset."""
        if isinstance(world, World):
            world = world.to_dict()
        self.admin("PUT", "world", world)
        self._accounts = None

    def image(self, image_id):
        """An image of the current world, or None."""
        images = self.world()["store"]["images"]
        return next((i for i in images if i["id"] == image_id), None)

    def profile(self):
        return self.admin("GET", "profile")

    def set_profile(self, profile):
        """Sets the profile (catalog, missingImage, precedence) until the next reset."""
        self.admin("PUT", "profile", profile)

    def progress(self):
        """The progress policy in force, as the binary writes it (e.g. ``"after:1"``)."""
        return self.admin("GET", "progress")["Progress"]

    def set_progress(self, policy):
        """Sets how the service's own work advances until the next reset: ``"immediate"``,
        ``"after:<seconds>"``, ``"after-describes:<n>"`` or ``"manual"``, for every kind, or per
        kind after a comma (``"manual,instance=after:0.3"``; kinds image-creation, import,
        export, copy, snapshot, instance). Under ``manual``, only :meth:`complete_tasks` ends
        work."""
        self.admin("PUT", "progress", {"Progress": policy})

    def complete_tasks(self, task_id=None, image_id=None, outcome=None):
        """Ends running tasks and CreateImage creations (all, or by task or image);
        ``outcome`` is "Finished" (default) or "Failed"."""
        return self.admin("POST", "tasks/complete",
                          query={"TaskId": task_id, "ImageId": image_id, "Outcome": outcome})

    def requests(self, action=None, caller=None):
        """The request log, oldest first: dicts with Seq, RequestId, Action, Caller,
        AccessKeyId, Parameters, Status, Code, Outcome and Fault."""
        return self.admin("GET", "requests", query={"Action": action, "Caller": caller})["Requests"]

    def clear_requests(self):
        self.admin("DELETE", "requests")

    def add_fault(self, action, error=None, latency_ms=None, caller=None, image_id=None,
                  nth=None, times=None, probability=None, seed=None):
        """Adds a fault rule; returns its id. ``error`` is one of "Throttling",
        "Throttling.User", "UnknownError", "ServiceUnavailable", "InternalError"."""
        rule = {"Action": action, "Error": error, "LatencyMs": latency_ms, "Caller": caller,
                "ImageId": image_id, "Nth": nth, "Times": times, "Probability": probability,
                "Seed": seed}
        return self.admin("POST", "faults", {k: v for k, v in rule.items() if v is not None})["Id"]

    def faults(self):
        """The fault rules with their counters (Seen, Fired)."""
        return self.admin("GET", "faults")["Faults"]

    def remove_fault(self, fault_id):
        self.admin("DELETE", "faults/%d" % fault_id)

    def clear_faults(self):
        self.admin("DELETE", "faults")

    # ---- clients ----------------------------------------------------------------------------

    def accounts(self):
        """Account id -> (access key id, secret), from the current world."""
        if self._accounts is None:
            self._accounts = {
                a["id"]: (a["accessKeys"][0]["id"], a["accessKeys"][0].get("secret") or "any")
                for a in self.world()["accounts"] if a.get("accessKeys")
            }
        return self._accounts

    def _keys(self, account):
        accounts = self.accounts()
        if account is None:
            account = next(iter(accounts))
        if account not in accounts:
            raise EmulatorError("no account %r with an access key in the world (accounts: %s)"
                                % (account, ", ".join(accounts)))
        return accounts[account]

    def config(self, account=None, region="cn-hangzhou", **options):
        """An ``alibabacloud_tea_openapi`` ``Config`` for the current SDK, signed with the
        account's key (default: the world's first account), pointed at this emulator."""
        from alibabacloud_tea_openapi.models import Config

        key_id, secret = self._keys(account)
        return Config(access_key_id=key_id, access_key_secret=secret, endpoint=self.endpoint,
                      protocol="http", region_id=region, **options)

    def client(self, account=None, region="cn-hangzhou", **options):
        """An ``alibabacloud_ecs20140526`` ``Client`` for the account (see :meth:`config`)."""
        from alibabacloud_ecs20140526.client import Client

        return Client(self.config(account, region, **options))

    def legacy_client(self, account=None, region="cn-hangzhou", **options):
        """An ``aliyunsdkcore`` ``AcsClient`` for the account, its ECS endpoint for ``region``
        set to this emulator (``options`` go to ``AcsClient``, e.g. ``max_retry_time``)."""
        from aliyunsdkcore.client import AcsClient

        key_id, secret = self._keys(account)
        client = AcsClient(key_id, secret, region, **options)
        client.add_endpoint(region, "Ecs", self.endpoint)
        return client
