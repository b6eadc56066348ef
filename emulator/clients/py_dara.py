"""The current Python SDK (alibabacloud-ecs20140526, Darabonba) against the emulator, unmodified,
signing with the demo world's real keys: ACS3-HMAC-SHA256 (default) and RPC V1
(signature_algorithm='v2'). Errors are read through its own ClientException (docs/clients.md §5a).
"""

import json
import time

from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

from harness import (ENDPOINT, EXPECT, REGION, Lifecycle, Runner, blocker, complete, equal, request_id,
                     reset)

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

    reset()
    lifecycle(run, client())
    reset()
    tags(run, client())
    reset()
    snapshots(run, client())
    reset()
    client_tokens(run, client())
    run.finish()


def client_tokens(run, c):
    """ClientToken as Packer and Terraform send it through the SDK's own request models: a retry
    answers the first answer and makes nothing more; other parameters under the token are refused
    (docs/lifecycle.md, idempotence)."""
    token = "123e4567-e89b-12d3-a456-426655440000"

    def run_instances():
        request = ecs.RunInstancesRequest(region_id=REGION, image_id="m-demo-free", amount=2,
                                          client_token=token)
        first = c.run_instances(request).body.instance_id_sets.instance_id_set
        again = c.run_instances(request).body.instance_id_sets.instance_id_set
        equal(again, first, "InstanceIdSet of the retry")
        equal(len(first), 2, "instances made")
        listed = c.describe_instances(ecs.DescribeInstancesRequest(region_id=REGION, image_id="m-demo-free"))
        equal(sorted(i.instance_id for i in listed.body.instances.instance), sorted(first),
              "instances of m-demo-free")
        refused(lambda: c.run_instances(ecs.RunInstancesRequest(
            region_id=REGION, image_id="m-demo-free", amount=1, client_token=token)),
            400, "IdempotentParameterMismatch", "The request is retried with updated parameters.")

    def create_image():
        request = ecs.CreateImageRequest(region_id=REGION, image_name="tf-golden", client_token="tf-1")
        first = c.create_image(request).body.image_id
        equal(c.create_image(request).body.image_id, first, "ImageId of the retry")
        named = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_name="tf-golden", status="Creating,Available"))
        equal(named.body.total_count, 1, "images named tf-golden")
        refused(lambda: c.create_image(ecs.CreateImageRequest(
            region_id=REGION, client_token="x" * 65)),
            400, "InvalidClientToken.ValueNotSupported", "The ClientToken provided is invalid.")

    run.check("ClientToken: RunInstances retried", run_instances)
    run.check("ClientToken: CreateImage retried", create_image)


def lifecycle(run, c):
    """One image through every blocker, each refusal read through ClientException, each undone
    with the API its message points to."""
    s = {}
    life = Lifecycle(run)

    def refused_as(name, region=REGION, image=None):
        status, code, message = blocker(name)
        refused(lambda: delete(c, region, image or s["image"]), status, code, message)

    def create():
        made = c.create_image(ecs.CreateImageRequest(region_id=REGION, snapshot_id="s-life-1"))
        s["image"] = made.body.image_id
        request_id(made.body.request_id)
        equal(complete(f"?ImageId={s['image']}")["FinishedImageIds"], [s["image"]], "finished")
        found = c.describe_images(ecs.DescribeImagesRequest(region_id=REGION, image_id=s["image"]))
        equal(found.body.total_count, 1, "DescribeImages TotalCount")
        equal(found.body.images.image[0].status, "Available", "status")

    def shared():
        c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=s["image"], add_account=["bob"]))
        refused_as("Shared")
        shares = c.describe_image_share_permission(
            ecs.DescribeImageSharePermissionRequest(region_id=REGION, image_id=s["image"]))
        equal([a.aliyun_id for a in shares.body.accounts.account], ["bob"], "shared with")
        c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=s["image"], remove_account=["bob"]))

    def public():
        c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=s["image"], is_public=True))
        refused_as("Public")
        c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=s["image"], is_public=False))

    def in_use():
        ran = c.run_instances(ecs.RunInstancesRequest(region_id=REGION, image_id=s["image"], amount=1))
        instance = ran.body.instance_id_sets.instance_id_set[0]
        refused_as("InUse")
        listed = c.describe_instances(ecs.DescribeInstancesRequest(region_id=REGION, image_id=s["image"]))
        equal([i.instance_id for i in listed.body.instances.instance], [instance], "DescribeInstances")
        # The service settles it on its own (no admin call): wait as Packer does.
        def wait_for(status):
            for _ in range(100):
                by_id = c.describe_instances(ecs.DescribeInstancesRequest(
                    region_id=REGION, instance_ids=json.dumps([instance]), status=status))
                if [i.instance_id for i in by_id.body.instances.instance] == [instance]:
                    return
                time.sleep(0.1)
            raise AssertionError(f"{instance} never became {status}")
        wait_for("Running")
        c.stop_instance(ecs.StopInstanceRequest(instance_id=instance, force_stop=True))
        wait_for("Stopped")
        c.delete_instance(ecs.DeleteInstanceRequest(instance_id=instance))

    def exporting():
        # OSSBucket is required: without it, the documented MissingParameter.
        refused(lambda: c.export_image(ecs.ExportImageRequest(
            region_id=REGION, image_id=s["image"])),
            400, "MissingParameter", 'An input parameter "OSSBucket" that is mandatory for processing the request is not supplied.')
        task = c.export_image(ecs.ExportImageRequest(
            region_id=REGION, image_id=s["image"], ossbucket="bucket")).body.task_id
        refused_as("Exporting")
        tasks = c.describe_tasks(ecs.DescribeTasksRequest(
            region_id=REGION, task_action="ExportImage", task_status="Processing"))
        if task not in [t.task_id for t in tasks.body.task_set.task]:
            raise AssertionError(f"DescribeTasks does not list {task}")
        # DescribeTaskAttribute (Terraform's alicloud_image_export waits on it), read through
        # the SDK's own response model: tasks here are manual, so it stays at 0%.
        def attribute():
            return c.describe_task_attribute(ecs.DescribeTaskAttributeRequest(
                region_id=REGION, task_id=task)).body
        running = attribute()
        equal((running.task_id, running.task_action, running.task_status, running.task_process,
               running.support_cancel, running.total_count),
              (task, "ExportImage", "Processing", "0%", "true", 1), "DescribeTaskAttribute")
        c.cancel_task(ecs.CancelTaskRequest(region_id=REGION, task_id=task))
        cancelled = attribute()
        equal((cancelled.task_status, cancelled.support_cancel), ("Cancelled", "false"),
              "DescribeTaskAttribute after CancelTask")
        if not cancelled.finished_time:
            raise AssertionError("no FinishedTime after CancelTask")

    def copying():
        copy = c.copy_image(ecs.CopyImageRequest(
            region_id=REGION, image_id=s["image"], destination_region_id="cn-shanghai")).body.image_id
        refused_as("Copying (source)")
        refused_as("Copying (destination)", region="cn-shanghai", image=copy)
        c.cancel_copy_image(ecs.CancelCopyImageRequest(region_id="cn-shanghai", image_id=copy))

    def importing():
        refused(lambda: c.import_image(ecs.ImportImageRequest(region_id=REGION)),
            403, "MissingParameter.DiskDeviceMapping", "The specified parameter DiskDeviceMapping is not supplied.")
        started = c.import_image(ecs.ImportImageRequest(
            region_id=REGION, disk_device_mapping=[ecs.ImportImageRequestDiskDeviceMapping(
                ossbucket="bucket", ossobject="image.qcow2", disk_image_size=40)])).body
        refused_as("Importing", image=started.image_id)
        c.cancel_task(ecs.CancelTaskRequest(region_id=REGION, task_id=started.task_id))

    def deleted():
        answer = delete(c, REGION, s["image"])
        equal(answer.headers.get("x-emulator-outcome"), "Deleted", "outcome")

    for name, fn in [("CreateImage, finished", create), ("Shared", shared), ("Public", public),
                     ("InUse", in_use), ("Exporting", exporting), ("Copying", copying),
                     ("Importing", importing), ("DeleteImage at last", deleted)]:
        life.step(name, fn)


def tags(run, c):
    """Terraform's alicloud_image tags through the SDK's own models: Tag.N at CreateImage, an
    update (UntagResources for the removed keys, then TagResources), the read back with
    ListTagResources and DescribeImages, a documented refusal, and Packer's DescribeRegions."""
    s = {}
    life = Lifecycle(run)

    def pairs(items):
        return [(t.tag_key, t.tag_value) for t in items]

    def create():
        made = c.create_image(ecs.CreateImageRequest(
            region_id=REGION, snapshot_id="s-tags-1",
            tag=[ecs.CreateImageRequestTag(key="env", value="dev"),
                 ecs.CreateImageRequestTag(key="old", value="x")]))
        s["image"] = made.body.image_id

    def update():
        c.untag_resources(ecs.UntagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[s["image"]], tag_key=["old"]))
        c.tag_resources(ecs.TagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[s["image"]],
            tag=[ecs.TagResourcesRequestTag(key="env", value="prod"),
                 ecs.TagResourcesRequestTag(key="team", value="a")]))

    def read():
        listed = c.list_tag_resources(ecs.ListTagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[s["image"]]))
        equal(pairs(listed.body.tag_resources.tag_resource), [("env", "prod"), ("team", "a")],
              "ListTagResources")
        equal([t.resource_id for t in listed.body.tag_resources.tag_resource], [s["image"]] * 2,
              "ResourceId")
        equal(listed.body.next_token, None, "NextToken on the last page")
        found = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_id=s["image"], status="Creating,Available"))
        equal(pairs(found.body.images.image[0].tags.tag), [("env", "prod"), ("team", "a")],
              "DescribeImages Tags")
        by_tag = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, status="Creating,Available",
            tag=[ecs.DescribeImagesRequestTag(key="team", value="a")]))
        equal([i.image_id for i in by_tag.body.images.image], [s["image"]], "DescribeImages Tag.N")

    def malformed():
        refused(lambda: c.tag_resources(ecs.TagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[s["image"]],
            tag=[ecs.TagResourcesRequestTag(key="aliyun-reserved", value="x")])),
            400, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
        refused(lambda: client("bob").tag_resources(ecs.TagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[s["image"]],
            tag=[ecs.TagResourcesRequestTag(key="k", value="v")])),
            404, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")

    def regions():
        answer = c.describe_regions(ecs.DescribeRegionsRequest(accept_language="en-US"))
        listed = {r.region_id: r for r in answer.body.regions.region}
        equal(listed[REGION].local_name, "China (Hangzhou)", "LocalName")
        equal(listed[REGION].status, "available", "Status")

    for name, fn in [("CreateImage with Tag.N", create), ("tag update", update),
                     ("ListTagResources and DescribeImages read the tags", read),
                     ("refusals", malformed), ("DescribeRegions", regions)]:
        life.step(f"tags: {name}", fn)


def snapshots(run, c):
    """Packer's image build through the SDK's own models: CreateImage from a Running instance,
    whose new image lists a new snapshot of the instance's disk, made with the image; then
    CreateSnapshot of that disk (found with DescribeDisks) with a name and a tag; each
    in-progress snapshot refuses the next one with the documented answer."""
    s = {}
    life = Lifecycle(run)

    def build():
        made = c.run_instances(ecs.RunInstancesRequest(region_id=REGION, image_id="m-demo-free"))
        s["instance"] = made.body.instance_id_sets.instance_id_set[0]
        # The instance settles on its own (this emulator's instances progress after 0.3 s).
        for _ in range(50):
            listed = c.describe_instances(ecs.DescribeInstancesRequest(
                region_id=REGION, instance_ids=json.dumps([s["instance"]])))
            if listed.body.instances.instance[0].status == "Running":
                break
            time.sleep(0.1)
        image = c.create_image(ecs.CreateImageRequest(
            region_id=REGION, instance_id=s["instance"], image_name="packer-1"))
        found = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_id=image.body.image_id, status="Creating"))
        mappings = found.body.images.image[0].disk_device_mappings.disk_device_mapping
        equal(len(mappings), 1, "one disk mapping per disk")
        equal(mappings[0].type, "system", "mapping Type")
        if not mappings[0].snapshot_id.startswith("s-"):
            raise AssertionError(f"a new snapshot id, got {mappings[0].snapshot_id!r}")
        # The disk's snapshot progresses with the image: until the image is made, another
        # snapshot of the disk is refused.
        refused(lambda: c.create_image(ecs.CreateImageRequest(
            region_id=REGION, instance_id=s["instance"])),
            403, "IncorrectDiskStatus.CreatingSnapshot",
            "A previous snapshot creation is in process.")
        complete(f"?ImageId={image.body.image_id}")

    def snapshot():
        # Packer's step_create_snapshot finds the system disk with DescribeDisks.
        disks = c.describe_disks(ecs.DescribeDisksRequest(
            region_id=REGION, instance_id=s["instance"], disk_type="system"))
        equal(disks.body.total_count, 1, "DescribeDisks TotalCount")
        disk = disks.body.disks.disk[0].disk_id
        made = c.create_snapshot(ecs.CreateSnapshotRequest(
            disk_id=disk, snapshot_name="nightly-1",
            tag=[ecs.CreateSnapshotRequestTag(key="team", value="ops")]))
        if not made.body.snapshot_id.startswith("s-"):
            raise AssertionError(f"a snapshot id, got {made.body.snapshot_id!r}")
        refused(lambda: c.create_snapshot(ecs.CreateSnapshotRequest(disk_id=disk)),
                403, "IncorrectDiskStatus.CreatingSnapshot",
                "A previous snapshot creation is in process.")
        s["disk"], s["snapshot"] = disk, made.body.snapshot_id

    def describe():
        found = c.describe_snapshots(ecs.DescribeSnapshotsRequest(
            region_id=REGION, disk_id=s["disk"], status="progressing"))
        equal(found.body.total_count, 1, "TotalCount")
        item = found.body.snapshots.snapshot[0]
        equal((item.snapshot_id, item.snapshot_name, item.status, item.progress),
              (s["snapshot"], "nightly-1", "progressing", "0%"), "the snapshot")
        equal(item.source_disk_id, s["disk"], "SourceDiskId")
        equal([(t.tag_key, t.tag_value) for t in item.tags.tag], [("team", "ops")], "Tags")
        by_id = c.describe_snapshots(ecs.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=json.dumps([s["snapshot"]])))
        equal([i.snapshot_id for i in by_id.body.snapshots.snapshot], [s["snapshot"]],
              "SnapshotIds")

    def add_tags():
        # Packer's step_create_tags: the older AddTags, one snapshot at a time.
        c.add_tags(ecs.AddTagsRequest(
            region_id=REGION, resource_type="snapshot", resource_id=s["snapshot"],
            tag=[ecs.AddTagsRequestTag(key="packer", value="yes")]))
        found = c.describe_snapshots(ecs.DescribeSnapshotsRequest(
            region_id=REGION, tag=[ecs.DescribeSnapshotsRequestTag(key="packer", value="yes")]))
        equal([i.snapshot_id for i in found.body.snapshots.snapshot], [s["snapshot"]],
              "DescribeSnapshots Tag.N after AddTags")

    for name, fn in [("CreateImage from an instance", build), ("CreateSnapshot", snapshot),
                     ("DescribeSnapshots", describe), ("AddTags", add_tags)]:
        life.step(f"snapshots: {name}", fn)


if __name__ == "__main__":
    main()
