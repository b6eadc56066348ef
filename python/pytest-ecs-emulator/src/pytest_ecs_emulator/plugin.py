"""The pytest plugin: one emulator per test session (so one per pytest-xdist worker, each on its
own free port), reset before every test that uses it, and configured SDK clients.

Fixtures
    ``ecs_emulator_session``  the session's :class:`~pytest_ecs_emulator.Emulator`, never reset
    ``ecs_emulator``          the same, reset for this test, with its markers applied
    ``ecs_client``            current SDK client (``alibabacloud_ecs20140526``), first account
    ``ecs_clients``           account id -> current SDK client, for every account of the world
    ``ecs_legacy_client``     legacy ``AcsClient`` (``aliyun-python-sdk-ecs``), first account
    ``ecs_legacy_clients``    account id -> legacy client

Markers
    ``@pytest.mark.ecs_world(world)``      start the test from this world (World or dict)
    ``@pytest.mark.ecs_profile(profile)``  answer by this profile (dict) until the next reset
    ``@pytest.mark.ecs_progress(policy)``  advance tasks, creations and instances by this
                                           progress policy (e.g. "immediate", "after:0.2",
                                           "manual") until the next reset

Options: ``--ecs-emulator-bin PATH`` (or ``ECS_EMULATOR_BIN``) to use a prebuilt binary;
``--ecs-progress POLICY`` (or ``ECS_EMULATOR_PROGRESS``) for the session's progress policy, which
every reset restores (default: the binary's, ``after:1``).
"""

import os

import pytest

from .emulator import BINARY_ENV, PROGRESS_ENV, Emulator


def pytest_addoption(parser):
    group = parser.getgroup("ecs-emulator")
    group.addoption("--ecs-emulator-bin", default=None,
                    help="a prebuilt ecs-image-emulator binary (default: $%s, else build "
                         "it from the checkout, else PATH)" % BINARY_ENV)
    group.addoption("--ecs-progress", default=None, metavar="POLICY",
                    help="the session's progress policy, e.g. immediate, after:0.2, "
                         "after-describes:2, manual (default: $%s, else the binary's "
                         "after:1)" % PROGRESS_ENV)


def pytest_configure(config):
    config.addinivalue_line("markers", "ecs_world(world): start the test from this emulator world")
    config.addinivalue_line("markers", "ecs_profile(profile): answer the test by this profile")
    config.addinivalue_line("markers", "ecs_progress(policy): advance the emulator's work by this "
                                       "progress policy for the test")


class _Clients(dict):
    """Account id -> client, each made on first use."""

    def __init__(self, make, accounts):
        super().__init__()
        self._make = make
        self._accounts = list(accounts)

    def __missing__(self, account):
        self[account] = client = self._make(account)
        return client

    def __iter__(self):
        return iter(self._accounts)

    def __len__(self):
        return len(self._accounts)

    def keys(self):
        return list(self._accounts)

    def items(self):
        return [(a, self[a]) for a in self._accounts]

    def values(self):
        return [self[a] for a in self._accounts]


@pytest.fixture(scope="session")
def ecs_emulator_session(request):
    """The session's emulator process (one per xdist worker); stopped at the end."""
    binary = request.config.getoption("--ecs-emulator-bin") or os.environ.get(BINARY_ENV)
    progress = request.config.getoption("--ecs-progress") or os.environ.get(PROGRESS_ENV)
    emulator = Emulator(binary=binary, progress=progress)
    yield emulator
    emulator.stop()


@pytest.fixture
def ecs_emulator(request, ecs_emulator_session):
    """The emulator, reset for this test: the starting world, an empty request log, no fault
    rules, the default profile, the session's progress policy; then the test's ``ecs_world``,
    ``ecs_profile`` and ``ecs_progress`` markers."""
    emulator = ecs_emulator_session
    emulator.reset()
    world = request.node.get_closest_marker("ecs_world")
    if world is not None:
        emulator.set_world(world.args[0])
    profile = request.node.get_closest_marker("ecs_profile")
    if profile is not None:
        emulator.set_profile(profile.args[0])
    progress = request.node.get_closest_marker("ecs_progress")
    if progress is not None:
        emulator.set_progress(progress.args[0])
    return emulator


@pytest.fixture
def ecs_clients(ecs_emulator):
    """Account id -> ``alibabacloud_ecs20140526`` client, for every account of the world."""
    return _Clients(ecs_emulator.client, ecs_emulator.accounts())


@pytest.fixture
def ecs_client(ecs_emulator):
    """An ``alibabacloud_ecs20140526`` client of the world's first account."""
    return ecs_emulator.client()


@pytest.fixture
def ecs_legacy_clients(ecs_emulator):
    """Account id -> legacy ``AcsClient``, for every account of the world."""
    return _Clients(ecs_emulator.legacy_client, ecs_emulator.accounts())


@pytest.fixture
def ecs_legacy_client(ecs_emulator):
    """A legacy ``AcsClient`` of the world's first account."""
    return ecs_emulator.legacy_client()
