#!/usr/bin/env python3
"""The parameters each ECS action declares, as the pinned Python SDK puts them on the wire.

    python3 extract.py            # rewrites ecs-2014-05-26.json beside this script
    python3 extract.py --check    # exits 1 if the committed file differs from a fresh extraction
    python3 extract.py --out FILE # writes elsewhere

Needs the SDK pinned in requirements.txt (alibabacloud-ecs20140526) importable; `check.sh`
installs it in a throw-away virtual environment and runs `--check`.

Method. Nothing is read from memory or from the docs: for every `<action>_with_options` method of
the SDK's client, each leaf field of its request model is set alone (lists get one element,
nested models are created on the way down) and the real client method is called with its
network call replaced by a recorder. What the SDK would send is exactly what the recorder
captures, after the SDK's own flattening (`Tag.1.Key`) and JSON "shrinking" (a structured field
sent as one JSON string). Repeat-list indexes are normalised to `N` (`Tag.N.Key`), map keys to
`{key}`.

For each wire parameter the file records:
  name      the wire name, e.g. `DiskDeviceMapping.N.SnapshotId`
  type      string | integer | boolean | number  -- the model's type of the leaf
            json                                 -- the SDK serialises a structure into one
                                                    JSON string under this name
  required  true when the model's comment on the field says "This parameter is required."
            (for a field inside a list or nested structure: the comment on that field; for a
            JSON string: the comment on the top-level field it is made from)
Common RPC parameters (Action, Version, Format, AccessKeyId, Signature*, Timestamp,
SignatureNonce) are added by the transport, not the action, and so are not listed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import inspect
import json
import re
import sys
import typing
from pathlib import Path

PACKAGE = "alibabacloud-ecs20140526"
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "ecs-2014-05-26.json"
REQUIREMENTS = HERE / "requirements.txt"

# What each scalar leaf is set to, and the name the file gives its type. The values are chosen
# so that a captured value that is not their plain rendering betrays a JSON-encoded structure.
SAMPLES = {str: ("sample", "string"), int: (7, "integer"), bool: (True, "boolean"),
           float: (7.5, "number")}
MAP_KEY = "mapkey"
API_VERSION = "2014-05-26"
# The actions the emulator answers or is about to (issues 12 and 13): the extraction fails if the
# pinned SDK lacks one, so a bump of the pin cannot silently drop them.
COVERED = (
    "CancelCopyImage", "CancelTask", "CopyImage", "CreateImage", "CreateSnapshot", "DeleteImage",
    "DeleteInstance", "DeleteSnapshot", "DescribeDisks", "DescribeImageSharePermission",
    "DescribeImages", "DescribeInstanceStatus", "DescribeInstances", "DescribeRegions",
    "DescribeSnapshots", "DescribeTags", "DescribeTaskAttribute", "DescribeTasks",
    "DescribeZones", "ExportImage", "ImportImage", "ListTagResources", "ModifyImageAttribute",
    "ModifyImageSharePermission", "RebootInstance", "RunInstances", "StartInstance",
    "StopInstance", "TagResources", "UntagResources",
)
REQUIRED = "This parameter is required."


class Captured(Exception):
    """Raised by the recorder in place of a network call, carrying what would be sent."""

    def __init__(self, params, request):
        super().__init__(params.action)
        self.action = params.action
        self.version = params.version
        self.query = dict(request.query or {})
        self.body = request.body


def pinned_version() -> str:
    for line in REQUIREMENTS.read_text().splitlines():
        name, _, version = line.strip().partition("==")
        if name.lower().replace("_", "-") == PACKAGE:
            return version
    raise SystemExit(f"extract.py: {PACKAGE} is not pinned in {REQUIREMENTS}")


def make_client():
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import utils_models

    class Recorder(Client):
        def call_api(self, params, request, runtime):
            raise Captured(params, request)

    config = utils_models.Config(access_key_id="id", access_key_secret="secret",
                                 region_id="cn-hangzhou", endpoint="127.0.0.1")
    return Recorder(config)


def field_types(model_class) -> dict:
    """The constructor's fields of a request model, with their resolved types, in order."""
    hints = typing.get_type_hints(model_class.__init__)
    names = [p for p in inspect.signature(model_class.__init__).parameters if p != "self"]
    return {name: hints[name] for name in names}


def required_fields(model_class) -> set:
    """Fields whose comment (the lines right above `self.<field> = <field>`) says required."""
    source = inspect.getsource(model_class.__init__)
    required, comment = set(), []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        assignment = re.match(r"self\.(\w+) = \1$", stripped)
        if assignment and REQUIRED in " ".join(comment):
            required.add(assignment.group(1))
        comment = []
    return required


def leaves(model_class, path=()):
    """Every leaf of a model tree: (path of (field, container) steps, scalar type, required)."""
    required = required_fields(model_class)
    for name, kind in field_types(model_class).items():
        yield from walk(kind, path + (name,), name in required)


def walk(kind, path, required):
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (list, typing.List):
        yield from walk(args[0], path + ("[]",), required)
    elif origin in (dict, typing.Dict):
        yield from walk(args[1] if args[1] is not typing.Any else str, path + ("{}",), required)
    elif kind is typing.Any:
        yield path, str, required
    elif kind in SAMPLES:
        yield path, kind, required
    elif inspect.isclass(kind):
        yield from leaves(kind, path)
    else:
        raise SystemExit(f"extract.py: unsupported field type {kind!r} at {'.'.join(path)}")


def build(model_class, path, value):
    """A model instance with only the leaf at `path` set to `value`."""
    instance = model_class()
    name, rest = path[0], path[1:]
    setattr(instance, name, fill(field_types(model_class)[name], rest, value))
    return instance


def fill(kind, rest, value):
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (list, typing.List):
        return [fill(args[0], rest[1:], value)]
    if origin in (dict, typing.Dict):
        inner = args[1] if args[1] is not typing.Any else str
        return {MAP_KEY: fill(inner, rest[1:], value)}
    if kind is typing.Any or kind in SAMPLES:
        return value
    return build(kind, rest, value)


def normalise(wire_name: str) -> str:
    parts = wire_name.split(".")
    return ".".join("N" if p.isdigit() else "{key}" if p == MAP_KEY else p for p in parts)


def flatten(body) -> dict:
    from alibabacloud_tea_openapi.utils import Utils
    return Utils.query(body) if isinstance(body, dict) else {}


def extract() -> dict:
    version = importlib.metadata.version(PACKAGE)
    if version != pinned_version():
        raise SystemExit(f"extract.py: {PACKAGE} {version} is installed, "
                         f"{pinned_version()} is pinned in {REQUIREMENTS.name}")
    from darabonba.runtime import RuntimeOptions

    client = make_client()
    runtime = RuntimeOptions()
    actions = {}
    for method_name, method in sorted(inspect.getmembers(type(client), inspect.isfunction)):
        if not method_name.endswith("_with_options") or method_name.endswith("_async"):
            continue
        request_class = typing.get_type_hints(method)[
            list(inspect.signature(method).parameters)[1]]
        action, api_version = capture_action(client, method, request_class(), runtime)
        parameters = {}
        top_required = required_fields(request_class)
        for path, kind, required in leaves(request_class):
            sample, type_name = SAMPLES.get(kind, SAMPLES[str])
            request = build(request_class, path, sample)
            captured = capture(client, method, request, runtime)
            if not captured:
                raise SystemExit(f"extract.py: {action}: field {'.'.join(path)} is not sent")
            for wire_name, value in captured.items():
                name = normalise(wire_name)
                kind_on_wire = type_name if value == str(sample) else "json"
                entry = parameters.setdefault(name, {"name": name, "type": kind_on_wire,
                                                     "required": False})
                if entry["type"] != kind_on_wire:
                    raise SystemExit(f"extract.py: {action}.{name}: types disagree")
                # A JSON-shrunk structure is required when its top-level field is.
                if kind_on_wire == "json":
                    required = path[0] in top_required
                entry["required"] = entry["required"] or required
        if action in actions:
            raise SystemExit(f"extract.py: {action} is answered by two client methods")
        if api_version != API_VERSION:
            raise SystemExit(f"extract.py: {action} is sent as version {api_version}")
        actions[action] = {"parameters": sorted(parameters.values(), key=lambda p: p["name"])}
    missing = [name for name in COVERED if name not in actions]
    if missing:
        raise SystemExit(f"extract.py: the SDK has no action {', '.join(missing)}")
    return {
        "about": "Parameters each ECS action declares, as the SDK sends them; generated by "
                 "emulator/declared/extract.py -- do not edit by hand.",
        "sdk": {"package": PACKAGE, "version": version},
        "api_version": API_VERSION,
        "action_count": len(actions),
        "actions": dict(sorted(actions.items())),
    }


def capture_action(client, method, request, runtime):
    try:
        method(client, request, runtime)
    except Captured as seen:
        return seen.action, seen.version
    raise SystemExit(f"extract.py: {method.__name__} made no call")


def capture(client, method, request, runtime) -> dict:
    try:
        method(client, request, runtime)
    except Captured as seen:
        sent = dict(seen.query)
        sent.update(flatten(seen.body))
        return sent
    raise SystemExit(f"extract.py: {method.__name__} made no call")


def emulated_actions() -> list:
    """The action names the emulator's router lists (`action!("Name", ...)` in its sources)."""
    names = []
    for source in sorted((HERE.parent / "src").glob("*.rs")):
        names += re.findall(r'action!\(\s*"(\w+)"', source.read_text())
    if not names:
        raise SystemExit("extract.py: found no action!(...) entry under emulator/src")
    return names


def render(document: dict) -> str:
    """One parameter per line: reviewable diffs, and a file a reader can grep."""
    lines = ["{"]
    for key in ("about", "sdk", "api_version", "action_count"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(document[key])},")
    lines.append('  "actions": {')
    names = list(document["actions"])
    for i, name in enumerate(names):
        action = document["actions"][name]
        lines.append(f"    {json.dumps(name)}: {{")
        params = action["parameters"]
        if not params:
            lines.append('      "parameters": []')
        else:
            lines.append('      "parameters": [')
            for j, p in enumerate(params):
                comma = "," if j < len(params) - 1 else ""
                lines.append(f"        {json.dumps(p, separators=(', ', ': '))}{comma}")
            lines.append("      ]")
        lines.append("    }" + ("," if i < len(names) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed file instead of writing it")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    text = render(extract())
    assert json.loads(text), "rendered file must be valid JSON"
    if args.check:
        routed = emulated_actions()
        unknown = sorted(set(routed) - set(json.loads(text)["actions"]))
        if unknown:
            print(f"the emulator routes actions the SDK does not declare: {unknown}",
                  file=sys.stderr)
            return 1
        committed = args.out.read_text() if args.out.exists() else ""
        if committed != text:
            print(f"{args.out.name} is stale: run `python3 {Path(__file__).name}` "
                  "with the pinned SDK and commit the result", file=sys.stderr)
            return 1
        print(f"{args.out.name} matches {PACKAGE} {pinned_version()}; "
              f"all {len(routed)} actions the emulator routes are declared")
        return 0
    args.out.write_text(text)
    print(f"wrote {args.out} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
