"""The legacy Python client (aliyun-python-sdk-core + aliyun-python-sdk-ecs, AcsClient) against the
emulator, unmodified, signing with RPC V1 (HMAC-SHA1) and the demo world's real keys. Errors are
read through its own ServerException (docs/clients.md §5a).
"""

import json
import time

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.DeleteImageRequest import DeleteImageRequest

from aliyunsdkecs.request.v20140526 import (
    CancelCopyImageRequest, CancelTaskRequest, CopyImageRequest, CreateImageRequest,
    DeleteInstanceRequest, DescribeImageSharePermissionRequest, DescribeImagesRequest,
    DescribeInstancesRequest, DescribeRegionsRequest, DescribeTagsRequest, DescribeTasksRequest,
    ExportImageRequest, ImportImageRequest, ListTagResourcesRequest,
    ModifyImageSharePermissionRequest, RunInstancesRequest, StopInstanceRequest, TagResourcesRequest,
    UntagResourcesRequest)

from harness import (ENDPOINT, EXPECT, REGION, Lifecycle, Runner, blocker, complete, equal, request_id,
                     reset, world_image)


def client(account="alice", region=REGION, key_id=None, secret=None):
    keys = EXPECT["accounts"][account]
    return AcsClient(key_id or keys["accessKeyId"], secret or keys["secret"], region)


def call(c, request):
    request.set_endpoint(ENDPOINT)
    return json.loads(c.do_action_with_exception(request))


def delete_request(image, force=None, dry_run=None):
    request = DeleteImageRequest()
    request.set_ImageId(image)
    if force is not None:
        request.set_Force(force)
    if dry_run is not None:
        request.set_DryRun(dry_run)
    return request


def refused(thunk, status, code, message=None):
    """Runs `thunk`, which must raise ServerException with exactly these values."""
    try:
        thunk()
    except ServerException as e:
        equal(e.get_http_status(), status, "get_http_status()")
        equal(e.get_error_code(), code, "get_error_code()")
        if message is not None:
            equal(e.get_error_msg(), message, "get_error_msg()")
        request_id(e.get_request_id(), "get_request_id()")
        equal(e.get_error_type(), "Server", "get_error_type()")
        return e
    raise AssertionError(f"expected ServerException {code}, got a success")


def main():
    run = Runner("py-legacy")
    reset()
    for case in EXPECT["refusals"]:
        def check(case=case):
            c = client(case["caller"], case["region"])
            refused(lambda: call(c, delete_request(case["image"], dry_run=case.get("dryRun"))),
                    case["status"], case["code"], case["message"])

        run.check(f"RPC V1: DeleteImage {case['name']}", check)

    unknown = EXPECT["unknownKey"]
    run.check("RPC V1: unknown access key", lambda: refused(
        lambda: call(client(key_id=unknown["accessKeyId"], secret=unknown["secret"]),
                     delete_request("m-demo-free")),
        unknown["status"], unknown["code"], unknown["message"]))

    # The client compares the string to sign after the ':' of a SignatureDoesNotMatch message
    # with its own and, when they are equal, reports InvalidAccessKeySecret (docs/clients.md §5b).
    # So this also proves the emulator's RPC V1 string to sign is byte-identical to the client's.
    bad = EXPECT["badSecret"]
    run.check("RPC V1: wrong secret", lambda: refused(
        lambda: call(client(secret=bad["secret"]), delete_request("m-demo-free")),
        400, "InvalidAccessKeySecret"))

    def deletes():
        c = client()
        first = call(c, delete_request("m-demo-free"))
        request_id(first["RequestId"], "RequestId of the delete")
        equal(world_image("m-demo-free"), None, "m-demo-free in the world after the delete")
        again = call(c, delete_request("m-demo-free"))
        request_id(again["RequestId"], "RequestId of the repeat")
        if again["RequestId"] == first["RequestId"]:
            raise AssertionError("two calls share a request id")

    run.check("RPC V1: DeleteImage deletes, then ignores", deletes)

    def force():
        call(client(), delete_request("m-demo-in-use", force=True))
        equal(world_image("m-demo-in-use"), None, "m-demo-in-use after Force=True")

    run.check("RPC V1: Force=True deletes an image in use", force)
    reset()
    lifecycle(run)
    reset()
    tags(run)
    run.finish()


def make(module, **setters):
    """A request of the legacy SDK, its setters called with the given values."""
    request = getattr(module, module.__name__.rsplit(".", 1)[1])()
    for name, value in setters.items():
        getattr(request, f"set_{name}")(value)
    return request


def lifecycle(run):
    """One image through every blocker, each refusal read through ServerException, each undone
    with the API its message points to."""
    c = client()
    s = {}
    life = Lifecycle(run)

    def refused_as(name, region=REGION, image=None):
        status, code, message = blocker(name)
        refused(lambda: call(client(region=region), delete_request(image or s["image"])),
                status, code, message)

    def share(**setters):
        call(c, make(ModifyImageSharePermissionRequest, ImageId=s["image"], **setters))

    def create():
        made = call(c, make(CreateImageRequest, SnapshotId="s-life-1"))
        s["image"] = made["ImageId"]
        request_id(made["RequestId"])
        equal(complete(f"?ImageId={s['image']}")["FinishedImageIds"], [s["image"]], "finished")
        found = call(c, make(DescribeImagesRequest, ImageId=s["image"]))
        equal(found["TotalCount"], 1, "DescribeImages TotalCount")
        equal(found["Images"]["Image"][0]["Status"], "Available", "status")

    def shared():
        share(AddAccounts=["bob"])
        refused_as("Shared")
        shares = call(c, make(DescribeImageSharePermissionRequest, ImageId=s["image"]))
        equal(shares["Accounts"]["Account"], [{"AliyunId": "bob"}], "shared with")
        share(RemoveAccounts=["bob"])

    def public():
        share(IsPublic=True)
        refused_as("Public")
        share(IsPublic=False)

    def in_use():
        ran = call(c, make(RunInstancesRequest, ImageId=s["image"], Amount=1))
        instance = ran["InstanceIdSets"]["InstanceIdSet"][0]
        refused_as("InUse")
        listed = call(c, make(DescribeInstancesRequest, ImageId=s["image"]))
        equal([i["InstanceId"] for i in listed["Instances"]["Instance"]], [instance], "DescribeInstances")
        # The service settles it on its own (no admin call): wait as Packer does.
        def wait_for(status):
            for _ in range(100):
                by_id = call(c, make(DescribeInstancesRequest, InstanceIds=json.dumps([instance]), Status=status))
                if [i["InstanceId"] for i in by_id["Instances"]["Instance"]] == [instance]:
                    return
                time.sleep(0.1)
            raise AssertionError(f"{instance} never became {status}")
        wait_for("Running")
        call(c, make(StopInstanceRequest, InstanceId=instance))
        wait_for("Stopped")
        call(c, make(DeleteInstanceRequest, InstanceId=instance))

    def exporting():
        # OSSBucket is required: without it, the documented MissingParameter.
        refused(lambda: call(c, make(ExportImageRequest, ImageId=s["image"])),
                400, "MissingParameter", 'An input parameter "OSSBucket" that is mandatory for processing the request is not supplied.')
        task = call(c, make(ExportImageRequest, ImageId=s["image"], OSSBucket="bucket"))["TaskId"]
        refused_as("Exporting")
        tasks = call(c, make(DescribeTasksRequest, TaskAction="ExportImage", TaskStatus="Processing"))
        if task not in [t["TaskId"] for t in tasks["TaskSet"]["Task"]]:
            raise AssertionError(f"DescribeTasks does not list {task}")
        call(c, make(CancelTaskRequest, TaskId=task))

    def copying():
        copy = call(c, make(CopyImageRequest, ImageId=s["image"], DestinationRegionId="cn-shanghai"))["ImageId"]
        refused_as("Copying (source)")
        refused_as("Copying (destination)", region="cn-shanghai", image=copy)
        call(client(region="cn-shanghai"), make(CancelCopyImageRequest, ImageId=copy))

    def importing():
        refused(lambda: call(c, make(ImportImageRequest)),
                403, "MissingParameter.DiskDeviceMapping", "The specified parameter DiskDeviceMapping is not supplied.")
        started = call(c, make(ImportImageRequest, DiskDeviceMappings=[
            {"OSSBucket": "bucket", "OSSObject": "image.qcow2", "DiskImSize": 40}]))
        refused_as("Importing", image=started["ImageId"])
        call(c, make(CancelTaskRequest, TaskId=started["TaskId"]))

    def deleted():
        call(c, delete_request(s["image"]))
        equal(world_image(s["image"]), None, "the image after DeleteImage")

    for name, fn in [("CreateImage, finished", create), ("Shared", shared), ("Public", public),
                     ("InUse", in_use), ("Exporting", exporting), ("Copying", copying),
                     ("Importing", importing), ("DeleteImage at last", deleted)]:
        life.step(name, fn)


def tags(run):
    """Terraform's legacy tag update and read (alicloud_image_copy, alicloud_image_import) and
    alicloud_images' DescribeTags, through the legacy SDK's request classes."""
    c = client()
    s = {}
    life = Lifecycle(run)

    def pairs(items):
        return [(t["TagKey"], t["TagValue"]) for t in items]

    def create():
        made = call(c, make(CreateImageRequest, SnapshotId="s-tags-1",
                            Tags=[{"Key": "env", "Value": "dev"}, {"Key": "old", "Value": "x"}]))
        s["image"] = made["ImageId"]

    def update():
        call(c, make(UntagResourcesRequest, ResourceType="image", ResourceIds=[s["image"]],
                     TagKeys=["old"]))
        call(c, make(TagResourcesRequest, ResourceType="image", ResourceIds=[s["image"]],
                     Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}]))

    def read():
        listed = call(c, make(ListTagResourcesRequest, ResourceType="image", ResourceIds=[s["image"]]))
        equal(pairs(listed["TagResources"]["TagResource"]), [("env", "prod"), ("team", "a")],
              "ListTagResources")
        equal(listed.get("NextToken"), None, "NextToken on the last page")
        described = call(c, make(DescribeTagsRequest, ResourceType="image", ResourceId=s["image"]))
        equal(pairs(described["Tags"]["Tag"]), [("env", "prod"), ("team", "a")], "DescribeTags")
        equal(described["Tags"]["Tag"][0]["ResourceTypeCount"]["Image"], 1, "ResourceTypeCount")

    def untag_all():
        call(c, make(UntagResourcesRequest, ResourceType="image", ResourceIds=[s["image"]], All=True))
        listed = call(c, make(ListTagResourcesRequest, ResourceType="image", ResourceIds=[s["image"]]))
        equal(listed["TagResources"]["TagResource"], [], "tags after All=true")

    def refusals():
        refused(lambda: call(c, make(TagResourcesRequest, ResourceType="securitygroup", ResourceIds=["sg-1"],
                                     Tags=[{"Key": "k", "Value": "v"}])),
                404, "InvalidResourceType.NotFound",
                "The ResourceType provided does not exist in our records.")

    def regions():
        answer = call(c, make(DescribeRegionsRequest))
        ids = [r["RegionId"] for r in answer["Regions"]["Region"]]
        if REGION not in ids:
            raise AssertionError(f"DescribeRegions does not list {REGION}: {ids}")

    for name, fn in [("CreateImage with Tag.N", create), ("tag update", update),
                     ("ListTagResources and DescribeTags read the tags", read),
                     ("UntagResources All=true", untag_all), ("refusals", refusals),
                     ("DescribeRegions", regions)]:
        life.step(f"tags: {name}", fn)


if __name__ == "__main__":
    main()
