#!/usr/bin/env python3
"""Worlds and request lists for perf/load.sh (Python standard library only).

  requests.py world N WORLD.json
      A world with one account (`perf`, access key `LTAI5tPerfLoad0000000001` with a secret, so
      the emulator verifies every signature) owning N private custom images in cn-hangzhou with
      22-character ids (`m-` and 20 lowercase alphanumerics).
  requests.py emulator-deletes N OUT.txt
      N DeleteImage request targets (`/?...`), one per line, each deleting one of the world's
      images, in order; signed with RPC V1 HMAC-SHA1 as the Alibaba Cloud SDKs sign.
  requests.py emulator-absent OUT.txt
      One signed DeleteImage target for an image the world does not hold (Ignored every time).
  requests.py moto-register URL N OUT.txt
      Registers N AMIs in a running moto server (RegisterImage) and writes one DeregisterImage
      target per AMI.
  requests.py moto-absent OUT.txt
      One DeregisterImage target for an AMI that moto does not hold (InvalidAMIID.NotFound).
"""

import base64
import hashlib
import hmac
import http.client
import re
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

REGION = "cn-hangzhou"
ACCOUNT = "perf"
KEY_ID = "LTAI5tPerfLoad0000000001"
SECRET = "PerfLoadSecret000000000000001"
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
ABSENT_IMAGE = "m-absent0000000000000"
MOTO_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


def image_id(n: int) -> str:
    """`m-` and 20 base-36 digits of n: 22 characters, distinct for distinct n."""
    digits = []
    for _ in range(20):
        n, d = divmod(n, 36)
        digits.append(DIGITS[d])
    return "m-" + "".join(reversed(digits))


def world(n: int, out: str) -> None:
    with open(out, "w") as f:
        f.write('{"accounts":[{"id":"%s","accessKeys":[{"id":"%s","secret":"%s"}]}],' % (ACCOUNT, KEY_ID, SECRET))
        f.write('"store":{"regions":["%s"],"tasks":[],"instances":[],"images":[' % REGION)
        for i in range(n):
            if i:
                f.write(",")
            f.write(
                '{"id":"%s","owner":"%s","region":"%s","kind":"custom","status":"Available"}'
                % (image_id(i), ACCOUNT, REGION)
            )
        f.write("]}}\n")


def pct(s: str) -> str:
    return urllib.parse.quote(s, safe="-_.~")


def signed_delete(image: str, nonce: int) -> str:
    """A DeleteImage target signed with RPC V1 (HMAC-SHA1), as docs/clients.md §4 describes."""
    params = {
        "Action": "DeleteImage",
        "Version": "2014-05-26",
        "Format": "JSON",
        "RegionId": REGION,
        "ImageId": image,
        "AccessKeyId": KEY_ID,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": f"perf-{nonce}",
        "Timestamp": "2025-01-01T00:00:00Z",
    }
    canonical = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()))
    to_sign = "POST&%2F&" + pct(canonical)
    digest = hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    params["Signature"] = base64.b64encode(digest).decode()
    return "/?" + "&".join(f"{pct(k)}={pct(v)}" for k, v in params.items())


def emulator_deletes(n: int, out: str) -> None:
    # The image id and the nonce are unreserved characters, so only they vary between targets:
    # a template of the encoded string to sign is formatted instead of encoding every request.
    sample = signed_delete(image_id(0), 0)
    to_sign = "POST&%2F&" + pct(
        "AccessKeyId={key}&Action=DeleteImage&Format=JSON&ImageId={image}&RegionId={region}"
        "&SignatureMethod=HMAC-SHA1&SignatureNonce=perf-{nonce}&SignatureVersion=1.0"
        "&Timestamp=2025-01-01T00%3A00%3A00Z&Version=2014-05-26"
    ).replace("%7B", "{").replace("%7D", "}")
    target = (
        "/?Action=DeleteImage&Version=2014-05-26&Format=JSON&RegionId={region}&ImageId={image}"
        "&AccessKeyId={key}&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0"
        "&SignatureNonce=perf-{nonce}&Timestamp=2025-01-01T00%3A00%3A00Z&Signature={signature}"
    )
    key = f"{SECRET}&".encode()
    with open(out, "w") as f:
        for i in range(n):
            image = image_id(i)
            fields = {"key": KEY_ID, "image": image, "region": REGION, "nonce": i}
            digest = hmac.new(key, to_sign.format(**fields).encode(), hashlib.sha1).digest()
            signature = pct(base64.b64encode(digest).decode())
            line = target.format(signature=signature, **fields)
            if i == 0 and line != sample:
                raise SystemExit(f"template and signer disagree:\n{line}\n{sample}")
            f.write(line + "\n")


def emulator_absent(out: str) -> None:
    with open(out, "w") as f:
        f.write(signed_delete(ABSENT_IMAGE, 0) + "\n")


def deregister(ami: str) -> str:
    return "/?" + urllib.parse.urlencode(
        {"Action": "DeregisterImage", "Version": "2016-11-15", "ImageId": ami}
    )


def moto_register(url: str, n: int, out: str) -> None:
    parsed = urllib.parse.urlsplit(url)
    workers = 4

    def register(chunk: range) -> list:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        amis = []
        for i in chunk:
            query = urllib.parse.urlencode(
                {"Action": "RegisterImage", "Version": "2016-11-15", "Name": f"perf-{i}"}
            )
            conn.request("POST", "/?" + query, body=b"", headers={"Authorization": MOTO_AUTH})
            response = conn.getresponse()
            body = response.read().decode()
            found = re.search(r"<imageId>(ami-[0-9a-f]+)</imageId>", body)
            if response.status != 200 or not found:
                raise SystemExit(f"moto RegisterImage answered {response.status}: {body[:300]}")
            amis.append(found.group(1))
        conn.close()
        return amis

    chunks = [range(w, n, workers) for w in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        amis = [ami for part in pool.map(register, chunks) for ami in part]
    with open(out, "w") as f:
        for ami in amis:
            f.write(deregister(ami) + "\n")


def moto_absent(out: str) -> None:
    with open(out, "w") as f:
        f.write(deregister("ami-00000000000000000") + "\n")


def main(argv: list) -> None:
    command, args = argv[1], argv[2:]
    if command == "world":
        world(int(args[0]), args[1])
    elif command == "emulator-deletes":
        emulator_deletes(int(args[0]), args[1])
    elif command == "emulator-absent":
        emulator_absent(args[0])
    elif command == "moto-register":
        moto_register(args[0], int(args[1]), args[2])
    elif command == "moto-absent":
        moto_absent(args[0])
    elif command == "moto-auth":
        print(MOTO_AUTH)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
