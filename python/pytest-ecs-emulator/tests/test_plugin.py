"""The plugin's own tests, as a user would write them: real, unmodified SDKs against the emulator
the fixtures start. Expected codes and messages are written out from the ECS docs."""

import json
import time

import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.DeleteImageRequest import DeleteImageRequest
from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest
from darabonba.policy.retry import RetryOptions

from pytest_ecs_emulator import AdminError, World

REGION = "cn-hangzhou"
SHARED = "The specified image has been shared to others."
THROTTLED = ("You have made too many requests within a short time; your request is denied due "
             "to request throttling.")


def delete(client, image, force=None):
    return client.delete_image(ecs.DeleteImageRequest(region_id=REGION, image_id=image, force=force))


def test_current_sdk_delete_shared_image_log_and_throttle_recovery(ecs_emulator, ecs_clients):
    alice = ecs_clients["alice"]
    with pytest.raises(ClientException) as refused:
        delete(alice, "m-demo-shared")
    assert (refused.value.status_code, refused.value.code) == (403, "ImageUseShared")
    assert refused.value.data["Message"] == SHARED
    assert ecs_emulator.image("m-demo-shared") is not None

    delete(alice, "m-demo-in-use", force=True)
    log = ecs_emulator.requests(action="DeleteImage")
    assert [(e["Parameters"]["ImageId"], e["Code"], e["Outcome"]) for e in log] == [
        ("m-demo-shared", "ImageUseShared", "Refused"),
        ("m-demo-in-use", None, "Deleted"),
    ]
    assert log[1]["Parameters"]["Force"] == "True", "as sent: the Python SDK writes booleans as True"
    assert log[1]["Caller"] == "alice"
    assert "Signature" not in json.dumps(log)

    # Two throttles, then the SDK's own retry option gets through.
    ecs_emulator.add_fault("DescribeImages", error="Throttling", times=2)
    retry = RetryOptions({"retryable": True, "retryCondition": [
        {"maxAttempts": 3, "errorCode": ["Throttling"], "backoff": {"policy": "Fixed", "period": 10}}]})
    patient = ecs_emulator.client("alice", retry_options=retry)
    found = patient.describe_images(ecs.DescribeImagesRequest(region_id=REGION, image_id="m-demo-free"))
    assert found.body.total_count == 1
    outcomes = [(e["Outcome"], e["Code"]) for e in ecs_emulator.requests(action="DescribeImages")]
    assert outcomes == [("Injected", "Throttling"), ("Injected", "Throttling"), ("Succeeded", None)]


def test_without_a_retry_option_the_throttle_reaches_the_caller(ecs_emulator, ecs_client):
    ecs_emulator.add_fault("DescribeImages", error="Throttling", times=1)
    with pytest.raises(ClientException) as throttled:
        ecs_client.describe_images(ecs.DescribeImagesRequest(region_id=REGION))
    assert (throttled.value.status_code, throttled.value.code) == (400, "Throttling")
    assert throttled.value.data["Message"] == THROTTLED
    ecs_client.describe_images(ecs.DescribeImagesRequest(region_id=REGION))


def test_legacy_sdk_delete_shared_image_log_and_throttle_recovery(ecs_emulator, ecs_legacy_clients):
    alice = ecs_legacy_clients["alice"]
    request = DeleteImageRequest()
    request.set_ImageId("m-demo-shared")
    with pytest.raises(ServerException) as refused:
        alice.do_action_with_exception(request)
    assert (refused.value.get_http_status(), refused.value.get_error_code()) == (403, "ImageUseShared")
    assert refused.value.get_error_msg() == SHARED
    [entry] = ecs_emulator.requests(action="DeleteImage", caller="alice")
    assert entry["Code"] == "ImageUseShared"

    # The legacy core retries DescribeImages on Throttling by itself (auto_retry, 3 times).
    ecs_emulator.add_fault("DescribeImages", error="Throttling", caller="bob", times=2)
    answer = json.loads(ecs_legacy_clients["bob"].do_action_with_exception(DescribeImagesRequest()))
    assert answer["TotalCount"] >= 1
    bob = ecs_emulator.requests(action="DescribeImages", caller="bob")
    assert [e["Outcome"] for e in bob] == ["Injected", "Injected", "Succeeded"]


def test_legacy_sdk_gives_up_when_its_retries_run_out(ecs_emulator):
    ecs_emulator.add_fault("DescribeImages", error="ServiceUnavailable")
    client = ecs_emulator.legacy_client("alice", max_retry_time=2)
    with pytest.raises(ServerException) as failed:
        client.do_action_with_exception(DescribeImagesRequest())
    assert (failed.value.get_http_status(), failed.value.get_error_code()) == (503, "ServiceUnavailable")
    assert len(ecs_emulator.requests(action="DescribeImages")) == 3, "one call and two retries"


def test_each_test_starts_from_a_fresh_emulator_part_1(ecs_emulator, ecs_client):
    delete(ecs_client, "m-demo-free")
    ecs_emulator.add_fault("DescribeImages", error="InternalError")
    assert ecs_emulator.image("m-demo-free") is None


def test_each_test_starts_from_a_fresh_emulator_part_2(ecs_emulator, ecs_client):
    # Whichever order the two parts run in, neither sees the other's delete, log or fault.
    assert ecs_emulator.image("m-demo-free") is not None
    assert ecs_emulator.requests() == []
    assert ecs_emulator.faults() == []
    ecs_client.describe_images(ecs.DescribeImagesRequest(region_id=REGION))


@pytest.mark.ecs_world(World()
                       .account("carol")
                       .account("dave")
                       .image("m-carol-app", owner="carol", shared_with=["dave"])
                       .image("m-carol-web", owner="carol", public=True)
                       .image("m-carol-db", owner="carol", instances=2))
def test_a_world_built_in_python(ecs_emulator, ecs_clients):
    assert sorted(ecs_clients) == ["carol", "dave"]
    carol = ecs_clients["carol"]
    for image, code in [("m-carol-app", "ImageUseShared"), ("m-carol-web", "ImageIsPublic"),
                        ("m-carol-db", "ImageUsingByInstance")]:
        with pytest.raises(ClientException) as refused:
            delete(carol, image)
        assert refused.value.code == code
    shared = ecs_clients["dave"].describe_images(
        ecs.DescribeImagesRequest(region_id=REGION, image_owner_alias="others"))
    visible = [i.image_id for i in shared.body.images.image]
    assert "m-carol-app" in visible and "m-carol-db" not in visible, visible


@pytest.mark.ecs_profile({"missingImage": "NotFound"})
def test_the_profile_marker(ecs_emulator, ecs_client):
    with pytest.raises(ClientException) as missing:
        delete(ecs_client, "m-no-such-image")
    assert (missing.value.status_code, missing.value.code) == (404, "InvalidImageId.NotFound")


def test_the_default_profile_ignores_a_missing_image(ecs_emulator, ecs_client):
    assert delete(ecs_client, "m-no-such-image").status_code == 200


SHARED_2025 = (SHARED + " You can use the DescribeImageSharePermission API to query the users "
               "who have been shared.")


@pytest.mark.parametrize("message", [
    pytest.param(SHARED, marks=pytest.mark.ecs_profile({"catalog": "2024-10"}), id="2024-10"),
    pytest.param(SHARED_2025, marks=pytest.mark.ecs_profile({"catalog": "2025"}), id="2025"),
])
def test_a_profile_per_parameter(ecs_emulator, ecs_client, message):
    with pytest.raises(ClientException) as refused:
        delete(ecs_client, "m-demo-shared")
    assert refused.value.code == "ImageUseShared"
    assert refused.value.data["Message"] == message


def test_a_bad_fault_rule_is_refused_loudly(ecs_emulator):
    with pytest.raises(AdminError) as refused:
        ecs_emulator.add_fault("DescribeImagez", error="Throttling")
    assert refused.value.status == 400
    with pytest.raises(AdminError):
        ecs_emulator.add_fault("DescribeImages", error="Throttled")


def test_latency_injection(ecs_emulator, ecs_client):
    import time

    ecs_emulator.add_fault("DescribeImages", latency_ms=300, nth=2)
    ecs_client.describe_images(ecs.DescribeImagesRequest(region_id=REGION))
    started = time.monotonic()
    ecs_client.describe_images(ecs.DescribeImagesRequest(region_id=REGION))
    assert time.monotonic() - started >= 0.3
    assert ecs_emulator.faults()[0]["Fired"] == 1


def test_proxy_mode_legacy_sdk_without_an_endpoint(ecs_emulator, monkeypatch):
    # A tool that builds its AcsClient from the region alone reaches the emulator through
    # HTTP_PROXY: the SDK resolves ecs-cn-hangzhou.aliyuncs.com and sends an absolute-form request.
    monkeypatch.setenv("HTTP_PROXY", ecs_emulator.url)
    monkeypatch.delenv("http_proxy", raising=False)
    key_id, secret = ecs_emulator.accounts()["alice"]
    client = AcsClient(key_id, secret, REGION)
    request = DeleteImageRequest()
    request.set_ImageId("m-demo-shared")
    with pytest.raises(ServerException) as refused:
        client.do_action_with_exception(request)
    assert refused.value.get_error_code() == "ImageUseShared"
    request = DeleteImageRequest()
    request.set_ImageId("m-demo-free")
    client.do_action_with_exception(request)
    assert ecs_emulator.image("m-demo-free") is None
    assert [e["Caller"] for e in ecs_emulator.requests(action="DeleteImage")] == ["alice", "alice"]


@pytest.fixture
def inner_binary(monkeypatch, ecs_emulator_session):
    """pytester's runs get their own HOME, where cargo may not work: hand them the binary."""
    monkeypatch.setenv("ECS_EMULATOR_BIN", ecs_emulator_session.binary)


def test_proxy_mode_current_sdk_without_an_endpoint(ecs_emulator, monkeypatch):
    # The current SDK computes ecs.cn-hangzhou.aliyuncs.com from the region; over http it honours
    # HTTP_PROXY too.
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.models import Config

    monkeypatch.setenv("HTTP_PROXY", ecs_emulator.url)
    monkeypatch.delenv("http_proxy", raising=False)
    key_id, secret = ecs_emulator.accounts()["bob"]
    client = Client(Config(access_key_id=key_id, access_key_secret=secret, region_id=REGION,
                           protocol="http"))
    assert delete(client, "m-demo-bob").status_code == 200
    assert ecs_emulator.image("m-demo-bob") is None
    [entry] = ecs_emulator.requests()
    assert (entry["Caller"], entry["Action"], entry["Outcome"]) == ("bob", "DeleteImage", "Deleted")


def test_proxy_mode_https_is_refused_loudly(ecs_emulator, monkeypatch):
    # HTTPS through the proxy needs CONNECT, which the emulator answers 501: the SDK fails at once
    # with that status rather than hanging or reaching the real service.
    from aliyunsdkcore.acs_exception.exceptions import ClientException as LegacyClientException

    monkeypatch.setenv("HTTPS_PROXY", ecs_emulator.url)
    monkeypatch.delenv("https_proxy", raising=False)
    key_id, secret = ecs_emulator.accounts()["alice"]
    client = AcsClient(key_id, secret, REGION, auto_retry=False)
    request = DescribeImagesRequest()
    request.set_protocol_type("https")
    with pytest.raises(LegacyClientException) as failed:
        client.do_action_with_exception(request)
    assert "Tunnel connection failed: 501" in str(failed.value)
    assert ecs_emulator.requests() == []


def start_import(client):
    return client.import_image(ecs.ImportImageRequest(
        region_id=REGION, disk_device_mapping=[ecs.ImportImageRequestDiskDeviceMapping(
            ossbucket="bucket", ossobject="image.qcow2", disk_image_size=40)])).body.image_id


def status_of(client, image):
    [found] = client.describe_images(ecs.DescribeImagesRequest(
        region_id=REGION, image_id=image, status="Creating,Waiting,Available")).body.images.image
    return found.status


def poll_status(client, image, seconds):
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        seen.append(status_of(client, image))
        if seen[-1] == "Available":
            break
        time.sleep(0.05)
    return seen


@pytest.mark.ecs_progress("immediate")
def test_progress_immediate_imports_without_complete_tasks(ecs_emulator, ecs_client):
    # The session's policy is the binary's after:1: under it the first read would be Waiting.
    assert ecs_emulator.progress() == "immediate"
    image = start_import(ecs_client)
    assert status_of(ecs_client, image) == "Available"


@pytest.mark.ecs_progress("after:0.2")
def test_progress_after_imports_on_its_own_in_time(ecs_emulator, ecs_client):
    assert ecs_emulator.progress() == "after:0.200"
    image = start_import(ecs_client)
    seen = poll_status(ecs_client, image, 10)
    assert seen[-1] == "Available", seen


@pytest.mark.ecs_progress("manual")
def test_progress_manual_waits_for_complete_tasks(ecs_emulator, ecs_client):
    image = start_import(ecs_client)
    seen = poll_status(ecs_client, image, 1.5)
    assert set(seen) == {"Waiting"}, seen
    ecs_emulator.complete_tasks(image_id=image)
    assert status_of(ecs_client, image) == "Available"


def test_progress_option_is_the_sessions_policy_and_reset_restores_it(pytester, inner_binary):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.ecs_progress("immediate")
        def test_1_marked(ecs_emulator):
            assert ecs_emulator.progress() == "immediate"

        def test_2_unmarked(ecs_emulator):
            assert ecs_emulator.progress() == "manual"

        def test_3_set_by_hand(ecs_emulator):
            ecs_emulator.set_progress("after:0.3")
            assert ecs_emulator.progress() == "after:0.300"

        def test_4_after_it(ecs_emulator):
            assert ecs_emulator.progress() == "manual"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--ecs-progress", "manual")
    result.assert_outcomes(passed=4)


def test_progress_env_var_is_the_sessions_policy(pytester, inner_binary, monkeypatch):
    monkeypatch.setenv("ECS_EMULATOR_PROGRESS", "after-describes:2")
    pytester.makepyfile("""
        def test_env(ecs_emulator):
            assert ecs_emulator.progress() == "after-describes:2"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_wrong_policy_is_refused_loudly(ecs_emulator):
    with pytest.raises(AdminError) as refused:
        ecs_emulator.set_progress("sometime")
    assert refused.value.status == 400


def test_one_emulator_per_xdist_worker(pytester, tmp_path, inner_binary):
    pytester.makepyfile(f"""
        import os

        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_record(ecs_emulator, n):
            worker = os.environ.get("PYTEST_XDIST_WORKER", "none")
            with open(os.path.join({str(tmp_path)!r}, worker), "a") as f:
                f.write(ecs_emulator.endpoint + "\\n")
    """)
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "each", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    endpoints = {}
    for worker in ("gw0", "gw1"):
        lines = set((tmp_path / worker).read_text().split())
        assert len(lines) == 1, "a worker keeps its one emulator: %s" % lines
        endpoints[worker] = lines.pop()
    assert endpoints["gw0"] != endpoints["gw1"], endpoints
