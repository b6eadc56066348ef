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
from datetime import datetime, timezone

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


def main():
    run = Runner("flows")
    c = client()
    for flow in [tf_share_permission, tf_tags_update, packer_pre_validation, tf_image_import]:
        flow(run, c)
    run.finish()


if __name__ == "__main__":
    main()
