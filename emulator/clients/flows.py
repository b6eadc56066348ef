"""Acceptance flows: the call sequences of real tools (Terraform's alicloud provider, Packer's
alicloud-ecs builder, the scripts users write), replayed through the current Python SDK
(alibabacloud-ecs20140526), unmodified, against an emulator of their own.

Each flow sends the actions, parameters and order its tool sends, reads the fields it reads, and
asserts what a real account answers (docs/research/tool-call-sequences.md names the versions
read). The flows never call the admin API: like the tools, they wait by polling.

Both Go SDKs these tools use sign with RPC V1 (HMAC-SHA1), so every call here does too:
- `TfRpc.post` is Terraform's `client.RpcPost` (tea-rpc): a query map and a form body, both signed;
- the typed requests (`c.describe_images(...)`) are alibaba-cloud-sdk-go's query-string calls,
  as Terraform's legacy helpers and Packer make them; the Go SDK leaves empty strings out, and
  so do these requests (unset fields are not sent).
"""

import json
import os
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi import utils_models as open_api
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils
from darabonba.runtime import RuntimeOptions

from harness import ENDPOINT, EXPECT, REGION, Lifecycle, Runner, equal

# A second region for copies; the demo world knows it.
COPY_REGION = "cn-shanghai"
# The public image the tools build from (the demo catalog's).
PUBLIC_IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"
# How long a wait may take in all; the flows' emulator progresses within a fraction of a second.
WAIT_SECONDS = float(os.environ.get("FLOWS_WAIT_SECONDS", "30"))
# The tools poll every 3 to 10 s; the flows poll faster, the order of calls is the same.
POLL_SECONDS = 0.05
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z$")


def client(account="alice", region=REGION):
    keys = EXPECT["accounts"][account]
    config = Config(
        access_key_id=keys["accessKeyId"],
        access_key_secret=keys["secret"],
        endpoint=ENDPOINT,
        protocol="http",
        region_id=region,
        signature_algorithm="v2",
    )
    return Client(config)


class TfRpc:
    """Terraform's `client.RpcPost("Ecs", "2014-05-26", action, query, request, true)`."""

    def __init__(self, c):
        self.c = c

    def post(self, action, query, body):
        params = open_api.Params(
            action=action, version="2014-05-26", protocol="HTTPS", pathname="/", method="POST",
            auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
        request = open_api.OpenApiRequest(query=Utils.query(query), body=body)
        return self.c.call_api(params, request, RuntimeOptions())["body"]


def refused(call, status, code, message):
    """Runs `call`, which must raise ClientException with exactly these values."""
    try:
        call()
    except ClientException as e:
        equal((e.status_code, e.code, e.data["Message"]), (status, code, message),
              "(status, code, message)")
        return e
    raise AssertionError(f"expected {status} {code}, got a success")


def wait_for(what, probe, done):
    """Polls `probe()` until `done(answer)`; the answer, or AssertionError with the last one."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        answer = probe()
        if done(answer):
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still {answer!r} after {WAIT_SECONDS} s")
        time.sleep(POLL_SECONDS)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def rfc3339(value, what):
    if not isinstance(value, str) or not RFC3339.match(value):
        raise AssertionError(f"{what}: expected an RFC 3339 UTC time, got {value!r}")
    return datetime.strptime(value.replace("Z", "+00:00"), "%Y-%m-%dT%H:%M:%S%z")


# --- instances, as the tools wait for them ------------------------------------------------------

def instance_status(c, region, instance_id):
    """Packer's `WaitForInstanceStatus` probe: DescribeInstances(RegionId, InstanceIds='["id"]')."""
    found = c.describe_instances(ecs.DescribeInstancesRequest(
        region_id=region, instance_ids=f'["{instance_id}"]')).body.instances.instance
    return [i.status for i in found]


def wait_instance(c, region, instance_id, status):
    wait_for(f"instance {instance_id} {status}", lambda: instance_status(c, region, instance_id),
             lambda statuses: status in statuses)


def run_instance(c, image=PUBLIC_IMAGE):
    """A Running instance to build from: the flows' fixture, not a tool's call (so only what the
    emulator models)."""
    ran = c.run_instances(ecs.RunInstancesRequest(region_id=REGION, image_id=image, amount=1))
    instance = ran.body.instance_id_sets.instance_id_set[0]
    wait_instance(c, REGION, instance, "Running")
    return instance


def delete_instance(c, instance):
    c.delete_instance(ecs.DeleteInstanceRequest(instance_id=instance, force=True))


# --- Terraform alicloud provider v1.289.0 -------------------------------------------------------

LEGACY_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed"


def tf_legacy_lookup(c, region, image_id):
    """`EcsService.DescribeImageById`: the first image, or None ("not found")."""
    found = c.describe_images(ecs.DescribeImagesRequest(
        region_id=region, image_id=image_id, status=LEGACY_STATUSES)).body.images.image
    return found[0] if found else None


def tf_share_permission(run, c):
    """alicloud_image_share_permission: create, read, destroy, read again (gone)."""
    life = Lifecycle(run)
    image = "m-demo-free"  # alice's own image in the demo world
    bob = "bob"

    def create():
        answer = c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=image, add_account=[bob]))
        if not answer.body.request_id:
            raise AssertionError("no RequestId")

    def read():
        shares = c.describe_image_share_permission(ecs.DescribeImageSharePermissionRequest(
            region_id=REGION, image_id=image)).body
        equal(shares.image_id, image, "ImageId")
        equal([a.aliyun_id for a in shares.accounts.account], [bob], "Accounts.Account")

    def destroy():
        c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=image, remove_account=[bob]))
        shares = c.describe_image_share_permission(ecs.DescribeImageSharePermissionRequest(
            region_id=REGION, image_id=image)).body
        equal(shares.accounts.account, [], "Accounts.Account after destroy (gone)")

    def unknown_image():
        # Read of a share whose image is gone: InvalidImageId.NotFound, which Terraform takes
        # for "gone".
        refused(lambda: c.describe_image_share_permission(ecs.DescribeImageSharePermissionRequest(
            region_id=REGION, image_id="m-flows-no-such-image")),
            404, "InvalidImageId.NotFound", "The specified ImageId does not exist.")

    for name, fn in [("create (AddAccount.1)", create), ("read", read),
                     ("destroy (RemoveAccount.1)", destroy), ("read of a missing image", unknown_image)]:
        life.step(f"terraform alicloud_image_share_permission: {name}", fn)


def tf_tags_update(run, c):
    """The tag half of alicloud_image_copy's and alicloud_image_import's Update: UntagResources
    for removed keys, TagResources for added or changed ones, then the legacy read (legacy lookup
    + ListTagResources). On an image of the demo world."""
    life = Lifecycle(run)
    image = "m-demo-free"

    def listed():
        found = tf_legacy_lookup(c, REGION, image)
        if found is None:
            raise AssertionError("the legacy lookup does not find the image")
        answer = c.list_tag_resources(ecs.ListTagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image])).body
        tags = sorted((t.resource_id, t.resource_type, t.tag_key, t.tag_value)
                      for t in answer.tag_resources.tag_resource)
        # The resource's Read sets its tags from the lookup's Tags.Tag: the same pairs.
        shown = sorted((image, "image", t.tag_key, t.tag_value)
                       for t in (found.tags.tag if found.tags else []))
        equal(shown, tags, "DescribeImages Tags.Tag against ListTagResources")
        return tags

    def add():
        c.tag_resources(ecs.TagResourcesRequest(
            region_id=REGION, resource_id=[image], resource_type="image",
            tag=[ecs.TagResourcesRequestTag(key="env", value="test"),
                 ecs.TagResourcesRequestTag(key="team", value="a")]))
        equal(listed(), [(image, "image", "env", "test"), (image, "image", "team", "a")],
              "ListTagResources")

    def change():
        c.untag_resources(ecs.UntagResourcesRequest(
            region_id=REGION, resource_id=[image], resource_type="image", tag_key=["team"]))
        c.tag_resources(ecs.TagResourcesRequest(
            region_id=REGION, resource_id=[image], resource_type="image",
            tag=[ecs.TagResourcesRequestTag(key="env", value="prod")]))
        equal(listed(), [(image, "image", "env", "prod")], "ListTagResources")

    def remove():
        c.untag_resources(ecs.UntagResourcesRequest(
            region_id=REGION, resource_id=[image], resource_type="image", tag_key=["env"]))
        equal(listed(), [], "ListTagResources")

    for step, fn in [("add two tags", add), ("drop one, change one", change),
                     ("drop the last", remove)]:
        life.step(f"terraform tags update (alicloud_image_copy, alicloud_image_import): {step}", fn)


def create_image_from(c, instance, name, tags=None):
    """CreateImage from an instance and wait Available as Packer waits: the flows' fixture."""
    made = c.create_image(ecs.CreateImageRequest(
        region_id=REGION, instance_id=instance, image_name=name,
        tag=[ecs.CreateImageRequestTag(key=k, value=v) for k, v in (tags or {}).items()] or None))
    image = made.body.image_id
    wait_for(f"{image} Available", lambda: [i.status for i in c.describe_images(
        ecs.DescribeImagesRequest(region_id=REGION, image_id=image, status=PACKER_STATUSES)
    ).body.images.image], lambda statuses: "Available" in statuses)
    return image


def tf_images(run, c):
    """alicloud_images: name_regex and most_recent over the account's images, then DescribeTags."""
    life = Lifecycle(run)
    s = {}
    prefix = unique("tf-images")

    def setup():
        s["instance"] = run_instance(c)
        s["older"] = create_image_from(c, s["instance"], f"{prefix}-1", {"gen": "1"})
        time.sleep(1.1)  # CreationTime has whole seconds: the second image is strictly newer
        s["newer"] = create_image_from(c, s["instance"], f"{prefix}-2", {"gen": "2"})
        create_image_from(c, s["instance"], f"other-{prefix}")

    def data_source():
        images, page = [], 1
        while True:
            got = c.describe_images(ecs.DescribeImagesRequest(
                region_id=REGION, page_number=page, page_size=100, image_owner_alias="self",
                status="Available")).body.images.image
            images += got
            if len(got) < 50:
                break
            page += 1
        regex = re.compile(f"^{prefix}-")
        matched = [i for i in images if i.image_name and regex.search(i.image_name)]
        equal(sorted(i.image_id for i in matched), sorted([s["older"], s["newer"]]), "name_regex")
        newest = max(matched, key=lambda i: rfc3339(i.creation_time, "CreationTime"))
        equal(newest.image_id, s["newer"], "most_recent")
        equal(newest.image_owner_alias, "self", "ImageOwnerAlias")
        equal(newest.progress, "100%", "Progress")
        if not isinstance(newest.size, int):
            raise AssertionError(f"Size {newest.size!r} is not an integer")
        tags = c.describe_tags(ecs.DescribeTagsRequest(
            region_id=REGION, resource_type="image", resource_id=newest.image_id)).body.tags.tag
        equal({t.tag_key: t.tag_value for t in tags}, {"gen": "2"}, "DescribeTags")

    for step, fn in [("two images a second apart", setup), ("name_regex, most_recent", data_source)]:
        life.step(f"terraform alicloud_images: {step}", fn)


def tf_image_copy(run, c):
    """alicloud_image_copy: CopyImage to a second region, wait, read, update, delete."""
    life = Lifecycle(run)
    s = {}
    name = unique("tf-copy")

    def create():
        s["instance"] = run_instance(c)
        s["source"] = create_image_from(c, s["instance"], name)
        copied = c.copy_image(ecs.CopyImageRequest(
            region_id=REGION, image_id=s["source"], destination_region_id=COPY_REGION,
            destination_image_name=name + "-copy", destination_description="a copy",
            encrypted=False, tag=[ecs.CopyImageRequestTag(key="env", value="test")]))
        s["copy"] = copied.body.image_id

        def state(image):
            if image is not None and image.status in ("CreateFailed", "UnAvailable"):
                raise AssertionError(f"copy {image.status}")
            return image is not None and image.status == "Available"

        wait_for("copy Available", lambda: tf_legacy_lookup(c, COPY_REGION, s["copy"]), state)

    def read():
        image = tf_legacy_lookup(c, COPY_REGION, s["copy"])
        equal(image.image_name, name + "-copy", "ImageName")
        equal(image.description, "a copy", "Description")
        equal({t.tag_key: t.tag_value for t in image.tags.tag}, {"env": "test"}, "Tags.Tag")

    def update():
        c.untag_resources(ecs.UntagResourcesRequest(
            region_id=COPY_REGION, resource_id=[s["copy"]], resource_type="image", tag_key=["env"]))
        c.tag_resources(ecs.TagResourcesRequest(
            region_id=COPY_REGION, resource_id=[s["copy"]], resource_type="image",
            tag=[ecs.TagResourcesRequestTag(key="team", value="flows")]))
        c.modify_image_attribute(ecs.ModifyImageAttributeRequest(
            region_id=COPY_REGION, image_id=s["copy"], image_name=name + "-renamed"))
        equal(tf_legacy_lookup(c, COPY_REGION, s["copy"]).image_name, name + "-renamed", "ImageName")
        listed = c.list_tag_resources(ecs.ListTagResourcesRequest(
            region_id=COPY_REGION, resource_type="image", resource_id=[s["copy"]]))
        equal([(t.resource_id, t.resource_type, t.tag_key, t.tag_value)
               for t in listed.body.tag_resources.tag_resource],
              [(s["copy"], "image", "team", "flows")], "ListTagResources")

    def delete():
        c.delete_image(ecs.DeleteImageRequest(region_id=COPY_REGION, image_id=s["copy"]))
        wait_for("copy gone", lambda: tf_legacy_lookup(c, COPY_REGION, s["copy"]),
                 lambda image: image is None)
        c.delete_image(ecs.DeleteImageRequest(region_id=REGION, image_id=s["source"]))
        delete_instance(c, s["instance"])

    for step, fn in [("create, wait Available", create), ("read", read),
                     ("update tags and name, ListTagResources", update), ("delete", delete)]:
        life.step(f"terraform alicloud_image_copy: {step}", fn)


def tf_image_export(run, c):
    """alicloud_image_export of an image of the demo world: ExportImage, DescribeTaskAttribute
    until Finished, the legacy read; its destroy calls no ECS action (it deletes the OSS object)."""
    life = Lifecycle(run)
    s = {"image": "m-demo-free"}

    def export():
        task = c.export_image(ecs.ExportImageRequest(
            region_id=REGION, image_id=s["image"], ossbucket="flows-bucket")).body.task_id

        def status():
            answer = c.describe_task_attribute(ecs.DescribeTaskAttributeRequest(
                region_id=REGION, task_id=task)).body
            equal(answer.task_id, task, "TaskId")
            if answer.task_status not in ("Waiting", "Processing", "Finished"):
                raise AssertionError(f"unexpected state {answer.task_status!r}")
            return answer.task_status

        wait_for("export Finished", status, lambda st: st == "Finished")
        equal(tf_legacy_lookup(c, REGION, s["image"]).image_id, s["image"], "export read")

    def deletable():
        # The export over, the image is no longer blocked by it (a DeleteImage DryRun says so).
        refused(lambda: c.delete_image(ecs.DeleteImageRequest(
            region_id=REGION, image_id=s["image"], dry_run=True)),
            400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")

    for step, fn in [("export, wait Finished, read", export), ("the image is free again", deletable)]:
        life.step(f"terraform alicloud_image_export: {step}", fn)


def tf_describe_all(tf, image_id):
    """The `alicloud_image` read and waits: DescribeImages(ImageId, RegionId, Status=ALL)."""
    return tf.post("DescribeImages", {"ImageId": image_id, "RegionId": REGION, "Status": "ALL"},
                   {})["Images"]["Image"]


def tags_of(image):
    return {t["TagKey"]: t["TagValue"] for t in image.get("Tags", {}).get("Tag", [])}


def tf_image(run, c):
    """alicloud_image: create from an instance, wait Usable, read, update name, description and
    tags, delete (refused while in use without force, then forced), wait gone."""
    tf = TfRpc(c)
    s = {}
    name = unique("tf-image")
    life = Lifecycle(run)

    def create():
        s["instance"] = run_instance(c)
        made = tf.post("CreateImage", {}, {
            "RegionId": REGION, "ClientToken": unique("tf"), "Tag.1.Key": "env",
            "Tag.1.Value": "test", "Tag.2.Key": "owner", "Tag.2.Value": "flows",
            "Description": "made by terraform", "Architecture": "x86_64", "ImageName": name,
            "InstanceId": s["instance"]})
        s["image"] = made["ImageId"]
        if not s["image"].startswith("m-"):
            raise AssertionError(f"ImageId {s['image']!r}")

        def state(images):
            if images and images[0]["Status"] == "CreateFailed":
                raise AssertionError("CreateFailed")
            return bool(images) and images[0].get("Usable") is True

        wait_for("Usable", lambda: tf_describe_all(tf, s["image"]), state)

    def read():
        image = tf_describe_all(tf, s["image"])[0]
        equal(image["ImageId"], s["image"], "ImageId")
        equal(image["ImageName"], name, "ImageName")
        equal(image["Description"], "made by terraform", "Description")
        equal(image["Architecture"], "x86_64", "Architecture")
        equal(image["Status"], "Available", "Status")
        equal(image["ImageOwnerAlias"], "self", "ImageOwnerAlias")
        equal(image["Progress"], "100%", "Progress")
        rfc3339(image["CreationTime"], "CreationTime")
        equal(tags_of(image), {"env": "test", "owner": "flows"}, "Tags.Tag")
        disks = image["DiskDeviceMappings"]["DiskDeviceMapping"]
        if not disks or not disks[0]["SnapshotId"].startswith("s-"):
            raise AssertionError(f"DiskDeviceMappings {disks!r}: no snapshot")
        equal(disks[0]["Type"], "system", "DiskDeviceMapping[0].Type")
        if not str(disks[0]["Size"]).isdigit():
            raise AssertionError(f"DiskDeviceMapping[0].Size {disks[0]['Size']!r}")

    def update():
        tf.post("ModifyImageAttribute", {"ImageId": s["image"]}, {
            "RegionId": REGION, "Description": "changed by terraform", "ImageName": name + "-v2"})
        tf.post("UntagResources", {}, {"RegionId": REGION, "ResourceId.1": s["image"],
                                       "ResourceType": "image", "TagKey.1": "owner"})
        tf.post("TagResources", {}, {"RegionId": REGION, "ResourceId.1": s["image"],
                                     "ResourceType": "image", "Tag.1.Key": "env",
                                     "Tag.1.Value": "prod"})
        image = wait_for("the new description", lambda: tf_describe_all(tf, s["image"])[0],
                         lambda i: i["Description"] == "changed by terraform")
        equal(image["ImageName"], name + "-v2", "ImageName")
        equal(tags_of(image), {"env": "prod"}, "Tags.Tag")

    def delete():
        # A second instance from the image: the delete without force is refused.
        s["user"] = c.run_instances(ecs.RunInstancesRequest(
            region_id=REGION, image_id=s["image"], amount=1)
        ).body.instance_id_sets.instance_id_set[0]
        # As alicloud_instance does, wait until it runs (a Pending instance cannot be released).
        wait_instance(c, REGION, s["user"], "Running")
        if tf_legacy_lookup(c, REGION, s["image"]) is None:
            raise AssertionError("the legacy lookup does not find the image")
        refused(lambda: tf.post("DeleteImage", {"ImageId": s["image"]},
                                {"RegionId": REGION, "Force": "false"}),
                403, "ImageUsingByInstance",
                "The specified image has been used to create instances.")
        tf.post("DeleteImage", {"ImageId": s["image"]}, {"RegionId": REGION, "Force": "true"})
        wait_for("gone", lambda: tf_describe_all(tf, s["image"]), lambda images: images == [])
        equal(tf_legacy_lookup(c, REGION, s["image"]), None, "legacy lookup after the delete")
        delete_instance(c, s["user"])
        delete_instance(c, s["instance"])

    for step, fn in [("create, wait Usable", create), ("read", read),
                     ("update name, description, tags", update), ("delete with force", delete)]:
        life.step(f"terraform alicloud_image: {step}", fn)


def tf_image_auto_snapshot(run, c):
    """alicloud_image with the undocumented `delete_auto_snapshot = true`: the delete reads the
    image's snapshots with the legacy lookup, deletes the image (Force=false), waits until it is
    gone, then deletes each snapshot with DeleteSnapshot(RegionId, SnapshotId, Force=true);
    released by the image, they go."""
    tf = TfRpc(c)
    life = Lifecycle(run)
    s = {}

    def create():
        s["instance"] = run_instance(c)
        s["image"] = tf.post("CreateImage", {}, {
            "RegionId": REGION, "ClientToken": unique("tf"), "Architecture": "x86_64",
            "ImageName": unique("tf-auto"), "InstanceId": s["instance"]})["ImageId"]
        wait_for("Usable", lambda: tf_describe_all(tf, s["image"]),
                 lambda images: bool(images) and images[0].get("Usable") is True)
        delete_instance(c, s["instance"])

    def delete():
        image = tf_legacy_lookup(c, REGION, s["image"])
        snapshots = [d.snapshot_id for d in image.disk_device_mappings.disk_device_mapping]
        if not snapshots:
            raise AssertionError("an image from an instance lists its system disk's snapshot")
        tf.post("DeleteImage", {"ImageId": s["image"]}, {"RegionId": REGION, "Force": "false"})
        wait_for("gone", lambda: tf_describe_all(tf, s["image"]), lambda images: images == [])
        for snapshot in snapshots:
            tf.post("DeleteSnapshot", {}, {"RegionId": REGION, "SnapshotId": snapshot,
                                           "Force": "true"})
        left = c.describe_snapshots(ecs.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=json.dumps(snapshots))).body
        equal(left.snapshots.snapshot, [], "the image's snapshots after the destroy")

    for step, fn in [("create from an instance, wait Usable", create),
                     ("destroy: image, then its snapshots (Force=true)", delete)]:
        life.step(f"terraform alicloud_image delete_auto_snapshot: {step}", fn)


# --- Packer alicloud-ecs builder (HEAD c9d1e19a) -------------------------------------------------

# Packer's image statuses (`ImageStatusQueried`), for its waiter, pre-validation and force delete.
PACKER_STATUSES = "Waiting,Creating,CreateFailed,Available"


def packer_images_named(c, region, name):
    return c.describe_images(ecs.DescribeImagesRequest(
        region_id=region, image_name=name, status=PACKER_STATUSES)).body.images.image


def packer_pre_validation(run, c):
    """`step_pre_validate.go` without `image_force_delete`: DescribeRegions, then
    DescribeImages(ImageName) must find no image of that name, whatever else the account owns;
    once one (even one still being created) has it, the build stops naming that image."""
    life = Lifecycle(run)
    s = {}
    name = unique("packer-pre")

    def regions():
        listed = [r.region_id for r in c.describe_regions(
            ecs.DescribeRegionsRequest()).body.regions.region]
        for region in (REGION, COPY_REGION):
            if region not in listed:
                raise AssertionError(f"{region} not in DescribeRegions: {listed}")

    def free():
        owned = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_owner_alias="self")).body.total_count
        if not owned:
            raise AssertionError("the account owns no image: the check would prove nothing")
        equal(packer_images_named(c, REGION, name), [], f"images named {name}")

    def taken():
        # The image an earlier build made, still being created (the demo world's snapshot).
        s["image"] = c.create_image(ecs.CreateImageRequest(
            region_id=REGION, snapshot_id="s-demo-free", image_name=name)).body.image_id
        found = packer_images_named(c, REGION, name)
        equal([(i.image_id, i.image_name) for i in found], [(s["image"], name)],
              f"images named {name}")

    for step, fn in [("DescribeRegions has the build and copy regions", regions),
                     ("an unused name finds nothing", free),
                     ("a taken name finds its image", taken)]:
        life.step(f"packer pre-validation: {step}", fn)


def tf_image_import(run, c):
    """alicloud_image_import: ImportImage, wait Available, read, delete."""
    life = Lifecycle(run)
    s = {}
    name = unique("tf-import")

    def import_():
        started = c.import_image(ecs.ImportImageRequest(
            region_id=REGION, architecture="x86_64", ostype="linux", platform="Ubuntu",
            image_name=name, description="imported",
            disk_device_mapping=[ecs.ImportImageRequestDiskDeviceMapping(
                format="RAW", ossbucket="flows-bucket", ossobject="images/ubuntu.raw",
                disk_image_size=20)]))
        s["image"] = started.body.image_id

        def state(image):
            if image is not None and image.status in ("CreateFailed", "UnAvailable"):
                raise AssertionError(f"import {image.status}")
            return image is not None and image.status == "Available"

        wait_for("import Available", lambda: tf_legacy_lookup(c, REGION, s["image"]), state)

    def read_import():
        image = tf_legacy_lookup(c, REGION, s["image"])
        equal((image.architecture, image.ostype, image.platform, image.image_name, image.description),
              ("x86_64", "linux", "Ubuntu", name, "imported"), "attributes")
        disk = image.disk_device_mappings.disk_device_mapping[0]
        equal((disk.format, disk.import_ossbucket, disk.import_ossobject, disk.size),
              ("RAW", "flows-bucket", "images/ubuntu.raw", "20"), "disk mapping")
        int(disk.size)  # Terraform reads it with strconv.Atoi

    def delete():
        # As alicloud_image_copy's: DeleteImage (Force only when set), the legacy lookup until gone.
        c.delete_image(ecs.DeleteImageRequest(region_id=REGION, image_id=s["image"]))
        wait_for("gone", lambda: tf_legacy_lookup(c, REGION, s["image"]), lambda i: i is None)

    for step, fn in [("import, wait Available", import_), ("read", read_import),
                     ("delete", delete)]:
        life.step(f"terraform alicloud_image_import: {step}", fn)


INSTANCE_TYPE = "ecs.g7.large"


class PackerHalt(Exception):
    """The build stopped with this error (Packer's `halt`)."""


def packer_halts(build, message, what):
    """Runs a build that must stop with exactly `message`."""
    try:
        build()
    except PackerHalt as e:
        equal(str(e), message, what)
    else:
        raise AssertionError(f"{what}: the build did not stop")


def name_used(name, image):
    """Pre-validation's message when an image has the name already."""
    return f"Image Name: '{name}' is used by an existing alicloud image: {image}"


def packer_wait_image(c, region, image):
    """`WaitForImageStatus(Available)`: the first image of the last answer."""
    return wait_for(f"{image} Available", lambda: c.describe_images(ecs.DescribeImagesRequest(
        region_id=region, image_id=image, status=PACKER_STATUSES)).body.images.image,
        lambda images: any(i.status == "Available" for i in images))[0]


def packer_build(c, name, tags, copy_region=None, copy_name=None, share_with=(),
                 force_delete=False):
    """One `packer build` of the image steps, copying to `copy_region` and sharing with
    `share_with` when given; returns {region: image id}. The network, key pair
    and SSH steps are left out: their actions (CreateSecurityGroup, CreateVpc, ...) are not
    emulated, so neither are the ids they would add to RunInstances."""
    regions = [r.region_id for r in c.describe_regions(
        ecs.DescribeRegionsRequest()).body.regions.region]
    wanted = [REGION] + ([copy_region] if copy_region else [])
    for region in wanted:
        if region not in regions:
            raise PackerHalt(f"region {region} not in DescribeRegions: {regions}")
    if not force_delete:
        existing = packer_images_named(c, REGION, name)
        if existing:
            raise PackerHalt(name_used(name, existing[0].image_id))
    source = c.describe_images(ecs.DescribeImagesRequest(
        region_id=REGION, image_id=PUBLIC_IMAGE)).body.images.image
    source += c.describe_images(ecs.DescribeImagesRequest(
        region_id=REGION, image_id=PUBLIC_IMAGE, image_owner_alias="marketplace")).body.images.image
    if not source:
        raise PackerHalt(f"No alicloud image was found matching filters: {PUBLIC_IMAGE}")
    ran = c.run_instances(ecs.RunInstancesRequest(
        client_token=unique("token"), region_id=REGION, instance_type=INSTANCE_TYPE,
        instance_name=f"packer_{name}", amount=1, min_amount=1, image_id=source[0].image_id))
    instance = ran.body.instance_id_sets.instance_id_set[0]
    try:
        wait_instance(c, REGION, instance, "Running")
        if "Running" in instance_status(c, REGION, instance):
            c.stop_instance(ecs.StopInstanceRequest(instance_id=instance))
            wait_instance(c, REGION, instance, "Stopped")
        c.start_instance(ecs.StartInstanceRequest(instance_id=instance))
        wait_instance(c, REGION, instance, "Running")
        # (SSH and the provisioners run here.)
        c.stop_instance(ecs.StopInstanceRequest(instance_id=instance, force_stop=False))
        wait_instance(c, REGION, instance, "Stopped")
        if force_delete:
            named = [(REGION, name)] + ([(copy_region, copy_name)] if copy_region else [])
            for region, image_name in named:
                for old in packer_images_named(c, region, image_name):
                    if old.image_owner_alias != "self":
                        continue
                    try:
                        c.delete_image(ecs.DeleteImageRequest(region_id=region, image_id=old.image_id))
                    except ClientException as e:
                        raise PackerHalt(f"Failed to delete image: {e.code}") from e
                    for disk in old.disk_device_mappings.disk_device_mapping:
                        c.delete_snapshot(ecs.DeleteSnapshotRequest(snapshot_id=disk.snapshot_id))
        made = c.create_image(ecs.CreateImageRequest(
            client_token=unique("token"), region_id=REGION, image_name=name, instance_id=instance,
            tag=[ecs.CreateImageRequestTag(key=k, value=v) for k, v in tags.items()]))
        image = packer_wait_image(c, REGION, made.body.image_id)
        snapshots = [d.snapshot_id for d in image.disk_device_mappings.disk_device_mapping]
        for snapshot in snapshots:
            c.add_tags(ecs.AddTagsRequest(
                region_id=REGION, resource_id=snapshot, resource_type="snapshot",
                tag=[ecs.AddTagsRequestTag(key=k, value=v) for k, v in tags.items()]))
        images = {REGION: image.image_id}
        if copy_region:
            images[copy_region] = c.copy_image(ecs.CopyImageRequest(
                region_id=REGION, image_id=image.image_id, destination_region_id=copy_region,
                destination_image_name=copy_name)).body.image_id
        if share_with:
            for region, region_image in images.items():
                c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
                    region_id=region, image_id=region_image, add_account=list(share_with)))
        return images
    finally:
        c.delete_instance(ecs.DeleteInstanceRequest(instance_id=instance, force=True))


def packer_artifact_destroy(c, images):
    """`Artifact.Destroy` (artifact.go) for {region: image id}: per image DescribeImages; a copy
    not yet Available is unshared and cancelled; any other is unshared, deleted without Force,
    and its snapshots deleted. Errors are collected, as Packer collects them."""
    errors = []
    for region, image_id in images.items():
        found = c.describe_images(ecs.DescribeImagesRequest(
            region_id=region, image_id=image_id, status=PACKER_STATUSES)).body.images.image
        if not found:
            continue
        image = found[0]
        try:
            shares = c.describe_image_share_permission(ecs.DescribeImageSharePermissionRequest(
                region_id=region, image_id=image_id)).body.accounts.account
            if shares:
                c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
                    region_id=region, image_id=image_id,
                    remove_account=[a.aliyun_id for a in shares]))
            if image.is_copied and image.status != "Available":
                c.cancel_copy_image(ecs.CancelCopyImageRequest(region_id=region, image_id=image_id))
                continue
            c.delete_image(ecs.DeleteImageRequest(region_id=region, image_id=image_id))
            for disk in image.disk_device_mappings.disk_device_mapping:
                c.delete_snapshot(ecs.DeleteSnapshotRequest(snapshot_id=disk.snapshot_id))
        except ClientException as e:
            errors.append(f"{region} {image_id}: {e.code}")
    if errors:
        raise AssertionError(f"artifact destroy: {errors}")


def packer_single_region(run, c):
    """A build without copies or shares, as Packer's own force-delete-snapshot acceptance test
    builds: the build (its snapshots tagged with AddTags); a second build stops at
    pre-validation; a rebuild with image_force_delete and image_force_delete_snapshots deletes
    the old image and then its snapshots; the artifact destroy deletes the new ones."""
    life = Lifecycle(run)
    s = {}
    name = unique("packer-one")
    tags = {"built-by": "packer"}

    def snapshots_of(image_id):
        image = packer_wait_image(c, REGION, image_id)
        return [d.snapshot_id for d in image.disk_device_mappings.disk_device_mapping]

    def listed(snapshots):
        return c.describe_snapshots(ecs.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=json.dumps(snapshots))).body.snapshots.snapshot

    def build():
        s["images"] = packer_build(c, name, tags)
        image = packer_wait_image(c, REGION, s["images"][REGION])
        equal({t.tag_key: t.tag_value for t in image.tags.tag}, tags, "the image's tags")
        s["snapshots"] = snapshots_of(image.image_id)
        found = listed(s["snapshots"])
        equal(sorted(x.snapshot_id for x in found), sorted(s["snapshots"]), "DescribeSnapshots")
        for snapshot in found:
            equal({t.tag_key: t.tag_value for t in snapshot.tags.tag}, tags,
                  f"the tags AddTags put on {snapshot.snapshot_id}")

    def name_taken():
        packer_halts(lambda: packer_build(c, name, tags), name_used(name, s["images"][REGION]),
                     "pre-validation")

    def force_delete():
        s["again"] = packer_build(c, name, tags, force_delete=True)
        equal(c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_id=s["images"][REGION], status=PACKER_STATUSES)
        ).body.images.image, [], "the old image")
        equal(listed(s["snapshots"]), [], "the old image's snapshots")
        equal([i.image_id for i in packer_images_named(c, REGION, name)], [s["again"][REGION]],
              f"the images named {name}")

    def destroy():
        snapshots = snapshots_of(s["again"][REGION])
        packer_artifact_destroy(c, s["again"])
        equal(c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_id=s["again"][REGION], status=PACKER_STATUSES)
        ).body.images.image, [], "the artifact's image")
        equal(listed(snapshots), [], "the artifact's snapshots")

    for step, fn in [("build: instance, image, snapshot tags", build),
                     ("a second build stops at pre-validation", name_taken),
                     ("image_force_delete deletes the old image and its snapshots", force_delete),
                     ("artifact destroy: the image, then its snapshots", destroy)]:
        life.step(f"packer alicloud-ecs, one region: {step}", fn)


# --- Ansible alibaba.alicloud ali_image over footmark 1.25.0 -------------------------------------

def footmark_images(c, **filters):
    """`get_all_images`: DescribeImages with one filter, no Status (so Available only), no
    paging; an empty answer is asked again (footmark sleeps 20 s; here the flows' poll)."""
    return wait_for(f"DescribeImages({filters})", lambda: c.describe_images(
        ecs.DescribeImagesRequest(region_id=REGION, **filters)).body.images.image, bool)


def footmark_delete(c, image_id):
    """`delete_image`: DescribeImages(ImageId), then DeleteImage(ImageId) without Force."""
    found = c.describe_images(ecs.DescribeImagesRequest(region_id=REGION, image_id=image_id)).body
    if image_id not in [i.image_id for i in found.images.image]:
        return "Image does not exist"
    c.delete_image(ecs.DeleteImageRequest(region_id=REGION, image_id=image_id))
    return "deleted"


def ansible_ali_image(run, c):
    """ali_image state=present from an instance (CreateImage, then get_all_images(image_id)
    until the image shows), state=absent by image_name (exactly one match, then delete_image):
    refused while an instance uses it, deleted once it is released, absent afterwards."""
    life = Lifecycle(run)
    s = {}
    name = unique("ansible")

    def present():
        s["instance"] = run_instance(c)
        s["image"] = c.create_image(ecs.CreateImageRequest(
            region_id=REGION, instance_id=s["instance"], image_name=name,
            description="made by ansible")).body.image_id
        image = footmark_images(c, image_id=s["image"])[0]
        equal((image.image_id, image.image_name, image.status),
              (s["image"], name, "Available"), "the new image")

    def absent_in_use():
        s["user"] = c.run_instances(ecs.RunInstancesRequest(
            region_id=REGION, image_id=s["image"], amount=1)
        ).body.instance_id_sets.instance_id_set[0]
        found = footmark_images(c, image_name=name)
        equal([i.image_id for i in found], [s["image"]], "ali_image looks the name up")
        refused(lambda: footmark_delete(c, s["image"]), 403, "ImageUsingByInstance",
                "The specified image has been used to create instances.")

    def absent():
        wait_instance(c, REGION, s["user"], "Running")
        delete_instance(c, s["user"])
        delete_instance(c, s["instance"])
        equal(footmark_delete(c, s["image"]), "deleted", "delete_image")
        equal(footmark_delete(c, s["image"]), "Image does not exist", "delete_image again")

    for step, fn in [("state=present from an instance", present),
                     ("state=absent refused while in use", absent_in_use),
                     ("state=absent once released", absent)]:
        life.step(f"ansible ali_image (footmark): {step}", fn)


# --- scripts users write -------------------------------------------------------------------------

def janitor(c, region, now, days, prefix, keep="keep", force=False):
    """Deletes the account's images named `prefix*` older than `days` days without a `keep` tag;
    skips shared and in-use ones unless `force` (then unshares, and deletes with Force).
    Returns (deleted ids, {skipped id: reason})."""
    cutoff = now - timedelta(days=days)
    images, page = [], 1
    while True:
        body = c.describe_images(ecs.DescribeImagesRequest(
            region_id=region, image_owner_alias="self", page_number=page, page_size=100)).body
        images += body.images.image
        if page * 100 >= body.total_count:
            break
        page += 1
    deleted, skipped = [], {}
    for image in images:
        if not (image.image_name or "").startswith(prefix):
            continue
        if rfc3339(image.creation_time, "CreationTime") >= cutoff:
            continue
        if keep in {t.tag_key for t in (image.tags.tag if image.tags else [])}:
            skipped[image.image_id] = "keep"
            continue
        shares = c.describe_image_share_permission(ecs.DescribeImageSharePermissionRequest(
            region_id=region, image_id=image.image_id)).body.accounts.account
        if shares:
            if not force:
                skipped[image.image_id] = "shared"
                continue
            c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
                region_id=region, image_id=image.image_id,
                remove_account=[a.aliyun_id for a in shares]))
        users = c.describe_instances(ecs.DescribeInstancesRequest(
            region_id=region, image_id=image.image_id)).body.total_count
        if users and not force:
            skipped[image.image_id] = "in use"
            continue
        c.delete_image(ecs.DeleteImageRequest(
            region_id=region, image_id=image.image_id, force=True if users else None))
        deleted.append(image.image_id)
    return deleted, skipped


def janitor_flow(run, c):
    life = Lifecycle(run)
    s = {}
    prefix = unique("janitor")

    def setup():
        s["instance"] = run_instance(c)
        old = {k: create_image_from(c, s["instance"], f"{prefix}-{k}", tags)
               for k, tags in [("plain", None), ("kept", {"keep": "yes"}), ("shared", None),
                               ("used", None)]}
        c.modify_image_share_permission(ecs.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=old["shared"], add_account=["bob"]))
        s["user"] = c.run_instances(ecs.RunInstancesRequest(
            region_id=REGION, image_id=old["used"], amount=1)
        ).body.instance_id_sets.instance_id_set[0]
        time.sleep(1.1)  # CreationTime has whole seconds
        young = create_image_from(c, s["instance"], f"{prefix}-young")
        s["old"], s["young"] = old, young
        created = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_id=young)).body.images.image[0].creation_time
        # The janitor runs 30 days after the young image was made: the others are older.
        s["now"] = rfc3339(created, "CreationTime") + timedelta(days=30)

    def gentle():
        deleted, skipped = janitor(c, REGION, s["now"], 30, prefix)
        old = s["old"]
        equal(deleted, [old["plain"]], "deleted")
        equal(skipped, {old["kept"]: "keep", old["shared"]: "shared", old["used"]: "in use"},
              "skipped")

    def forced():
        deleted, skipped = janitor(c, REGION, s["now"], 30, prefix, force=True)
        old = s["old"]
        equal(sorted(deleted), sorted([old["shared"], old["used"]]), "deleted")
        equal(skipped, {old["kept"]: "keep"}, "skipped")
        left = [i.image_id for i in c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_owner_alias="self", page_size=100)).body.images.image
            if (i.image_name or "").startswith(prefix)]
        equal(sorted(left), sorted([old["kept"], s["young"]]), "what is left")
        delete_instance(c, s["user"])
        delete_instance(c, s["instance"])

    for step, fn in [("old images: plain, kept, shared, in use; one young", setup),
                     ("deletes the plain one, skips the rest", gentle),
                     ("forced: unshares and deletes the shared and the used", forced)]:
        life.step(f"image janitor: {step}", fn)


def cleanup_flow(run, c):
    """Delete an image, then the snapshots it released; the wrong order first."""
    life = Lifecycle(run)
    s = {}
    name = unique("cleanup")

    def snapshot_listed():
        return c.describe_snapshots(ecs.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=f'["{s["snapshot"]}"]')).body.snapshots.snapshot

    def setup():
        s["instance"] = run_instance(c)
        s["image"] = create_image_from(c, s["instance"], name)
        image = c.describe_images(ecs.DescribeImagesRequest(
            region_id=REGION, image_id=s["image"])).body.images.image[0]
        s["snapshot"] = image.disk_device_mappings.disk_device_mapping[0].snapshot_id
        delete_instance(c, s["instance"])

    def wrong_order():
        refused(lambda: c.delete_snapshot(ecs.DeleteSnapshotRequest(snapshot_id=s["snapshot"])),
            403, "SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).")
        equal([x.snapshot_id for x in snapshot_listed()], [s["snapshot"]], "the snapshot is kept")

    def right_order():
        c.delete_image(ecs.DeleteImageRequest(region_id=REGION, image_id=s["image"]))
        equal([x.snapshot_id for x in snapshot_listed()], [s["snapshot"]],
              "the released snapshot")
        c.delete_snapshot(ecs.DeleteSnapshotRequest(snapshot_id=s["snapshot"]))
        equal(snapshot_listed(), [], "DescribeSnapshots after the delete")

    for step, fn in [("an image from an instance", setup),
                     ("DeleteSnapshot first: SnapshotCreatedImage", wrong_order),
                     ("DeleteImage, then DeleteSnapshot", right_order)]:
        life.step(f"cleanup script: {step}", fn)

def main():
    run = Runner("flows")
    c = client()
    for flow in [tf_share_permission, tf_tags_update, packer_pre_validation, tf_image_import,
                 tf_image, tf_images, tf_image_copy, tf_image_export, tf_image_auto_snapshot,
                 packer_single_region, ansible_ali_image, janitor_flow, cleanup_flow]:
        flow(run, c)
    run.finish()


if __name__ == "__main__":
    main()
