"""The current Python SDK (alibabacloud-ecs20140526, Darabonba) against the emulator, unmodified,
signing with the demo world's real keys: ACS3-HMAC-SHA256 (default) and RPC V1
(signature_algorithm='v2'). Errors are read through its own ClientException (real-clients.md §5a).
"""

from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

from harness import ENDPOINT, EXPECT, REGION, Runner, equal, request_id, reset

ALGORITHMS = {"ACS3-HMAC-SHA256": None, "RPC V1": "v2"}


def client(account="alice", algorithm=None, key_id=None, secret=None):
    keys = EXPECT["accounts"][account]
    config = Config(
        access_key_id=key_id or keys["accessKeyId"],
        access_key_secret=secret or keys["secret"],
        endpoint=ENDPOINT,
        protocol="http",
        region_id=REGION,
    )
    if algorithm:
        config.signature_algorithm = algorithm
    return Client(config)


def refused(call, status, code, message=None, message_prefix=None):
    """Runs `call`, which must raise ClientException with exactly these values."""
    try:
        call()
    except ClientException as e:
        equal(e.status_code, status, "status_code")
        equal(e.code, code, "code")
        rid = request_id(e.request_id)
        equal(e.data["RequestId"], rid, "data['RequestId']")
        text = e.data["Message"]
        if message is not None:
            equal(text, message, "data['Message']")
        if message_prefix is not None and not text.startswith(message_prefix):
            raise AssertionError(f"message {text!r} does not start with {message_prefix!r}")
        equal(e.message, f"code: {status}, {text} request id: {rid}", "message")
        return e
    raise AssertionError(f"expected ClientException {code}, got a success")


def delete(c, region, image, force=None, dry_run=None):
    request = ecs.DeleteImageRequest(region_id=region, image_id=image, force=force, dry_run=dry_run)
    return c.delete_image(request)


def main():
    run = Runner("py-dara")
    for label, algorithm in ALGORITHMS.items():
        reset()
        for case in EXPECT["refusals"]:
            c = client(case["caller"], algorithm)

            def check(c=c, case=case):
                refused(
                    lambda: delete(c, case["region"], case["image"], dry_run=case.get("dryRun")),
                    case["status"], case["code"], case["message"],
                )

            run.check(f"{label}: DeleteImage {case['name']}", check)

        unknown = EXPECT["unknownKey"]
        run.check(f"{label}: unknown access key", lambda: refused(
            lambda: delete(client(algorithm=algorithm, key_id=unknown["accessKeyId"], secret=unknown["secret"]),
                           REGION, "m-demo-free"),
            unknown["status"], unknown["code"], unknown["message"]))
        bad = EXPECT["badSecret"]
        run.check(f"{label}: wrong secret", lambda: refused(
            lambda: delete(client(algorithm=algorithm, secret=bad["secret"]), REGION, "m-demo-free"),
            bad["status"], bad["code"], message_prefix=bad["messagePrefix"]))

        def deletes():
            c = client(algorithm=algorithm)
            first = delete(c, REGION, "m-demo-free")
            equal(first.status_code, 200, "status_code")
            request_id(first.body.request_id)
            equal(first.headers.get("x-emulator-outcome"), "Deleted", "outcome of the first delete")
            again = delete(c, REGION, "m-demo-free")
            equal(again.status_code, 200, "status_code of the repeat")
            request_id(again.body.request_id)
            if again.body.request_id == first.body.request_id:
                raise AssertionError("two calls share a request id")
            equal(again.headers.get("x-emulator-outcome"), "Ignored", "outcome of the repeat")

        run.check(f"{label}: DeleteImage deletes, then ignores", deletes)

        def force():
            c = client(algorithm=algorithm)
            answer = delete(c, REGION, "m-demo-in-use", force=True)
            equal(answer.headers.get("x-emulator-outcome"), "Deleted", "Force=True outcome")

        run.check(f"{label}: Force=True deletes an image in use", force)

    run.finish()


if __name__ == "__main__":
    main()
