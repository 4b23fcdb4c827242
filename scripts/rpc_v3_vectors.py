#!/usr/bin/env python3
"""Writes signature V3 (ACS3-HMAC-SHA256) test vectors in tests/vectors/rpc/v3/
from what the official CAMS SDK puts on the wire by default:
alibabacloud-cams20200606 5.3.1 on alibabacloud-tea-openapi 0.4.6
(`do_request`), one request per Flow operation, sent to a capture server on
loopback (as an HTTP proxy, so that the signed `host` is the real CAMS
endpoint's) with the clock, the nonce and the user agent frozen.
tests/rpc_vectors.rs checks the V3 signer (src/alibaba/acs3_signature.rs)
and the request builder (src/alibaba/rpc_query.rs) against them.

The SDK signs every header it sends. Its `x-acs-credentials-provider`
header (the name of the SDK's credentials provider class) is left out by
giving it a credential without a provider name, so that the header set is
the one this provider sends.

Usage (any venv will do):
    python3 -m venv /tmp/rpc-venv && /tmp/rpc-venv/bin/pip install alibabacloud-cams20200606==5.3.1
    /tmp/rpc-venv/bin/python scripts/rpc_v3_vectors.py            # rewrite the files
    /tmp/rpc-venv/bin/python scripts/rpc_v3_vectors.py --check    # compare only
"""

import http.server
import json
import os
import sys
import threading
import urllib.parse

import alibabacloud_tea_openapi.client as openapi_client
from alibabacloud_cams20200606 import models
from alibabacloud_cams20200606.client import Client
from alibabacloud_tea_openapi.models import Config

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vectors", "rpc", "v3")
SOURCE = "alibabacloud-cams20200606 5.3.1 + alibabacloud-tea-openapi 0.4.6 (PyPI), default signature (ACS3-HMAC-SHA256)"
TIMESTAMP = "2024-05-01T08:00:00Z"
NONCE = "0123456789abcdef0123456789abcdef"
USER_AGENT = "terraform-provider-cams/test"
SECRET = "test/secret+="
ENDPOINT = "cams.ap-southeast-1.aliyuncs.com"

captured = []


class Capture(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = [[k.lower(), v] for k, v in self.headers.items()]
        captured.append({"method": "POST", "target": self.path, "headers": headers, "body": body.decode("utf-8")})
        answer = json.dumps({"RequestId": "R", "Code": "OK", "Data": {}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class Credential:
    """What the SDK asks its credential for, without a provider name."""

    def __init__(self, access_key_id, secret, token):
        self.access_key_id = access_key_id
        self.access_key_secret = secret
        self.security_token = token
        self.provider_name = None
        self.type = "sts" if token else "access_key"
        self.bearer_token = None

    def get_credential(self):
        return self


def client(port, access_key_id, token=None):
    openapi_client.Utils.get_timestamp = staticmethod(lambda: TIMESTAMP)
    openapi_client.Utils.get_nonce = staticmethod(lambda: NONCE)
    openapi_client.Utils.get_user_agent = staticmethod(lambda _=None: USER_AGENT)
    config = Config(
        credential=Credential(access_key_id, SECRET, token),
        endpoint=ENDPOINT,
        protocol="http",
        http_proxy="http://127.0.0.1:{}".format(port),
    )
    return Client(config)


def calls(sdk, sts):
    return [
        ("create_flow", lambda: sdk.create_flow(models.CreateFlowRequest(
            flow_name="Sign up 注册 *~", categories=["SIGN_UP", "OTHER"], cust_space_id="cams-abc123",
            endpoint_uri="https://e.example.com/flow?a=b&c=d"))),
        ("get_flow_json_asset", lambda: sdk.get_flow_jsonassest(models.GetFlowJSONAssestRequest(
            flow_id="flow_123", cust_space_id="cams-abc123"))),
        ("list_flow", lambda: sdk.list_flow(models.ListFlowRequest(
            cust_space_id="cams-abc123", flow_name="Sign", page=models.ListFlowRequestPage(index=2, size=20)))),
        ("modify_flow", lambda: sdk.modify_flow(models.ModifyFlowRequest(
            flow_id="flow_123", flow_name="Renamed", categories=["CUSTOMER_SUPPORT"], cust_space_id="cams-abc123",
            endpoint_uri=""))),
        ("update_flow_json_asset", lambda: sdk.update_flow_jsonasset(models.UpdateFlowJSONAssetRequest(
            flow_id="flow_123", cust_space_id="cams-abc123",
            file_path="http://127.0.0.1:9000/b/flows/x.json?OSSAccessKeyId=STS.id&Expires=1714551000&Signature=a%2Bb%3D&security-token=t%2Fk"))),
        ("publish_flow_sts", lambda: sts.publish_flow(models.PublishFlowRequest(
            flow_id="a b*c~d+e/f=g&h%i", cust_space_id="空间 ü~*"))),
    ]


def main():
    check = "--check" in sys.argv[1:]
    server = http.server.HTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    sdk = client(port, "testid")
    sts = client(port, "STS.testid", token="CAIS+token/with=chars")
    os.makedirs(OUT_DIR, exist_ok=True)
    different = []
    for name, call in calls(sdk, sts):
        captured.clear()
        call()
        request = captured[-1]
        target = urllib.parse.urlsplit(request["target"])
        path, query = target.path or "/", target.query
        headers = [h for h in request["headers"] if h[0] not in ("content-length", "accept-encoding", "connection", "proxy-connection")]
        authorization = next(v for k, v in headers if k == "authorization")
        case = {
            "name": name,
            "source": SOURCE,
            "secret": SECRET,
            "method": request["method"],
            "path": path,
            "wire_query": query,
            "query": [[k, v] for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)],
            "headers": [h for h in headers if h[0] != "authorization"],
            "body": request["body"],
            "authorization": authorization,
        }
        out = os.path.join(OUT_DIR, name + ".json")
        text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
        if check:
            with open(out, encoding="utf-8") as f:
                if f.read() != text:
                    different.append(out)
        else:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
    server.shutdown()
    if different:
        print("differs from the SDK:", *different, sep="\n  ")
        sys.exit(1)
    print("all V3 vectors", "match" if check else "written")


if __name__ == "__main__":
    main()
