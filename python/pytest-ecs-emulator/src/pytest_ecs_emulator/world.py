"""Build emulator worlds from Python: accounts with access keys, and images in any blocker state.

A world is the JSON document the emulator's ``--world`` flag and ``PUT /_emulator/world`` take.
This builder writes it for you::

    world = (World()
             .account("alice")
             .account("bob")
             .image("m-app", owner="alice", shared_with=["bob"])
             .image("m-web", owner="alice", public=True, instances=2))

Standard library only.
"""

import copy
import json

DEFAULT_REGION = "cn-hangzhou"
SYSTEM_OWNER = "alibaba-cloud"
MARKETPLACE_OWNER = "alibaba-cloud-marketplace"


def key_id_for(account):
    """The access key id the builder gives an account that names none."""
    return "LTAI5tEmu" + account


def secret_for(account):
    """The secret the builder gives an account that names none."""
    return account + "-emulator-secret"


class World:
    """A world under construction; every method returns the world, so calls chain."""

    def __init__(self, regions=None):
        self._accounts = []
        self._images = []
        self._tasks = []
        self._instances = []
        self._regions = set(regions or [DEFAULT_REGION])

    def account(self, account_id, key_id=None, secret=None):
        """Adds an account with one access key (derived from its id unless given)."""
        if any(a["id"] == account_id for a in self._accounts):
            raise ValueError("account %r is already in the world" % account_id)
        self._accounts.append({
            "id": account_id,
            "accessKeys": [{
                "id": key_id or key_id_for(account_id),
                "secret": secret or secret_for(account_id),
            }],
        })
        return self

    def image(self, image_id, owner, region=DEFAULT_REGION, kind="custom", status="Available",
              shared_with=(), public=False, snapshots=(), instances=0, importing=False,
              exporting=False):
        """Adds an image. ``kind`` is custom, system or marketplace; ``shared_with`` lists
        account ids (blocker Shared), ``public`` publishes it as a community image (Public),
        ``instances`` runs that many instances from it (InUse), ``importing`` and
        ``exporting`` run those tasks on it (Importing, Exporting; importing makes the
        status Waiting)."""
        if importing:
            status = "Waiting"
        self._regions.add(region)
        self._images.append({
            "id": image_id,
            "owner": owner,
            "region": region,
            "kind": kind,
            "status": status,
            "visibility": {"community": bool(public), "sharedWith": list(shared_with)},
            "snapshots": list(snapshots),
        })
        for n in range(1, instances + 1):
            self._instances.append({
                "id": "i-%s-%d" % (image_id, n),
                "owner": owner,
                "region": region,
                "image": image_id,
                "imageDeleted": False,
            })
        if importing:
            self._tasks.append({"id": "t-%s-import" % image_id, "action": "ImportImage",
                                "image": image_id})
        if exporting:
            self._tasks.append({"id": "t-%s-export" % image_id, "action": "ExportImage",
                                "image": image_id})
        return self

    def system_image(self, image_id, region=DEFAULT_REGION):
        """Adds an Alibaba Cloud public image."""
        return self.image(image_id, owner=SYSTEM_OWNER, region=region, kind="system")

    def marketplace_image(self, image_id, region=DEFAULT_REGION):
        """Adds an Alibaba Cloud Marketplace image."""
        return self.image(image_id, owner=MARKETPLACE_OWNER, region=region, kind="marketplace")

    def to_dict(self):
        """The world as the emulator reads it."""
        return {
            "accounts": copy.deepcopy(self._accounts),
            "store": {
                "regions": sorted(self._regions),
                "images": copy.deepcopy(self._images),
                "tasks": copy.deepcopy(self._tasks),
                "instances": copy.deepcopy(self._instances),
            },
        }

    def to_json(self):
        return json.dumps(self.to_dict())
