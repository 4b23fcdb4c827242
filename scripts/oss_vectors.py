#!/usr/bin/env python3
"""Writes the OSS signature test vectors in tests/vectors/oss/ with the
official Python SDK oss2 (the signer the Rust module
src/alibaba/oss_signature.rs is checked against by tests/oss_vectors.rs).

Usage (any venv will do):
    python3 -m venv /tmp/oss-venv && /tmp/oss-venv/bin/pip install oss2==2.19.1
    /tmp/oss-venv/bin/python scripts/oss_vectors.py            # rewrite the files
    /tmp/oss-venv/bin/python scripts/oss_vectors.py --check    # compare only

Each case is signed by oss2 itself: V1 header signatures through
StsAuth/Auth._sign_request (what Bucket.put_object does) and presigned URLs
through Bucket.sign_url. The clock and the Date header are frozen so the
output is reproducible; the string to sign is taken from oss2's own
string-to-sign function while it signs.
"""

import json
import os
import sys

import oss2
import oss2.auth
import oss2.http
import oss2.utils

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vectors", "oss")
SOURCE = "oss2 {} (PyPI), V1 signer: oss2.auth.ProviderAuth via StsAuth/Auth".format(oss2.__version__)

FROZEN_DATE = "Wed, 01 May 2024 08:00:00 GMT"
FROZEN_NOW = 1714550400  # 2024-05-01T08:00:00Z

STS = {
    # Made-up values with the characters real ones have (+ / =).
    "access_key_id": "STS.test-access-key-id",
    "access_key_secret": "test-sts-secret+/=",
    "security_token": "CAIS+test/security=token/with+chars==",
}

captured = []
_original = oss2.auth.ProviderAuth._ProviderAuth__get_bytes_to_sign


def _capturing(self, req, bucket_name, key):
    result = _original(self, req, bucket_name, key)
    captured.append(result.decode("utf-8"))
    return result


oss2.auth.ProviderAuth._ProviderAuth__get_bytes_to_sign = _capturing
oss2.utils.http_date = lambda timeval=None: FROZEN_DATE
oss2.auth.time.time = lambda: FROZEN_NOW


def auth_for(creds):
    if creds.get("security_token"):
        return oss2.StsAuth(creds["access_key_id"], creds["access_key_secret"], creds["security_token"])
    return oss2.Auth(creds["access_key_id"], creds["access_key_secret"])


def put_case(name, creds, endpoint, bucket_name, key, body):
    captured.clear()
    bucket = oss2.Bucket(auth_for(creds), endpoint, bucket_name)
    url = bucket._make_url(bucket_name, key, True)
    headers = {
        "Content-Type": "application/json",
        "Content-MD5": oss2.utils.content_md5(body.encode("utf-8")),
    }
    req = oss2.http.Request("PUT", url, data=body.encode("utf-8"), headers=headers)
    bucket.auth._sign_request(req, bucket_name, key)
    return {
        "name": name,
        "kind": "put_object_header_v1",
        "source": SOURCE,
        "credentials": creds,
        "endpoint": endpoint,
        "bucket": bucket_name,
        "key": key,
        "body": body,
        "content_type": headers["Content-Type"],
        "content_md5": headers["Content-MD5"],
        "date": req.headers["date"],
        "url": url,
        "string_to_sign": captured[-1],
        "authorization": req.headers["authorization"],
    }


def presign_case(name, creds, endpoint, bucket_name, key, lifetime):
    captured.clear()
    bucket = oss2.Bucket(auth_for(creds), endpoint, bucket_name)
    url = bucket.sign_url("GET", key, lifetime, slash_safe=True)
    return {
        "name": name,
        "kind": "presigned_get_v1",
        "source": SOURCE,
        "credentials": creds,
        "endpoint": endpoint,
        "bucket": bucket_name,
        "key": key,
        "expires": FROZEN_NOW + lifetime,
        "string_to_sign": captured[-1],
        "url": url,
    }


def cases():
    flow = '{"version":"7.0","screens":[{"id":"ONE","terminal":true,"layout":{"type":"SingleColumnLayout","children":[]}}]}'
    key = "flows/cams-abc123/" + "3b5d5c3712955042212316173ccf37be800d6d1b1ef5d5d2a8e5a3f0b6e3c9f1" + ".json"
    return [
        put_case("put_sts_virtual_host", STS, "https://oss-ap-southeast-1.aliyuncs.com", "cams-flows", key, flow),
        put_case("put_sts_path_style_loopback", STS, "http://127.0.0.1:9000", "cams-flows", "dir/a b+é~*.json", flow),
        put_case("put_no_token_empty_body", {"access_key_id": "testid", "access_key_secret": "testsecret"},
                 "https://oss-ap-southeast-1.aliyuncs.com", "example-bucket", "empty.json", ""),
        presign_case("presign_sts_virtual_host", STS, "https://oss-ap-southeast-1.aliyuncs.com", "cams-flows", key, 3600),
        presign_case("presign_sts_path_style_loopback", STS, "http://127.0.0.1:9000", "cams-flows",
                     "dir/a b+é~*.json", 900),
        # A plain V1 presigned URL (no token), as OSS documents them.
        presign_case("presign_no_token", {"access_key_id": "testid", "access_key_secret": "testsecret"},
                     "https://oss-ap-southeast-1.aliyuncs.com", "example-bucket", "flows/9658820125168.json", 600),
    ]


def main():
    check = "--check" in sys.argv[1:]
    os.makedirs(OUT_DIR, exist_ok=True)
    different = []
    for case in cases():
        path = os.path.join(OUT_DIR, case["name"] + ".json")
        text = json.dumps(case, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    different.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if different:
        print("differs from oss2:", *different, sep="\n  ")
        sys.exit(1)
    print("all OSS vectors", "match" if check else "written")


if __name__ == "__main__":
    main()
