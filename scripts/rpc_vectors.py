#!/usr/bin/env python3
"""Writes RPC signature test vectors in tests/vectors/rpc/ from what the
official CAMS SDK puts on the wire: alibabacloud-cams20200606 5.3.1 with
signature_algorithm='v2' (RPC HMAC-SHA1), one request per Flow operation
and per message template operation,
sent to a capture server on loopback with the clock and nonce frozen.
tests/rpc_vectors.rs checks the signer (src/alibaba/signature.rs) and the
query builder (src/alibaba/rpc_query.rs) against them, and the vectors
show the exact parameter encodings the SDK uses (Categories, Page,
Components, Example); tests/alibaba_client/templates.rs checks the
client's template requests against them.

Usage (any venv will do):
    python3 -m venv /tmp/rpc-venv && /tmp/rpc-venv/bin/pip install alibabacloud-cams20200606==5.3.1
    /tmp/rpc-venv/bin/python scripts/rpc_vectors.py            # rewrite the files
    /tmp/rpc-venv/bin/python scripts/rpc_vectors.py --check    # compare only
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

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vectors", "rpc")
SOURCE = "alibabacloud-cams20200606 5.3.1 + alibabacloud-tea-openapi 0.4.6 (PyPI), signature_algorithm='v2'"
TIMESTAMP = "2024-05-01T08:00:00Z"
NONCE = "0123456789abcdef0123456789abcdef"
SECRET = "test/secret+="

captured = []


class Capture(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        captured.append({"method": "POST", "target": self.path, "body": body.decode("utf-8")})
        answer = json.dumps({"RequestId": "R", "Code": "OK", "Data": {}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def client(port, token=None):
    openapi_client.Utils.get_timestamp = staticmethod(lambda: TIMESTAMP)
    openapi_client.Utils.get_nonce = staticmethod(lambda: NONCE)
    config = Config(
        access_key_id="testid",
        access_key_secret=SECRET,
        security_token=token,
        endpoint="127.0.0.1:{}".format(port),
        protocol="http",
        signature_algorithm="v2",
    )
    return Client(config)


def calls(sdk, sts):
    return [
        ("create_flow", lambda: sdk.create_flow(models.CreateFlowRequest(
            flow_name="Sign up 注册 *~", categories=["SIGN_UP", "OTHER"], cust_space_id="cams-abc123",
            endpoint_uri="https://e.example.com/flow?a=b&c=d")), "testid"),
        ("get_flow", lambda: sdk.get_flow(models.GetFlowRequest(flow_id="flow_123", cust_space_id="cams-abc123")),
         "testid"),
        ("list_flow", lambda: sdk.list_flow(models.ListFlowRequest(
            cust_space_id="cams-abc123", flow_name="Sign", page=models.ListFlowRequestPage(index=2, size=20))),
         "testid"),
        ("modify_flow", lambda: sdk.modify_flow(models.ModifyFlowRequest(
            flow_id="flow_123", flow_name="Renamed", categories=["CUSTOMER_SUPPORT"], cust_space_id="cams-abc123",
            endpoint_uri="")), "testid"),
        ("update_flow_json_asset", lambda: sdk.update_flow_jsonasset(models.UpdateFlowJSONAssetRequest(
            flow_id="flow_123", cust_space_id="cams-abc123",
            file_path="http://127.0.0.1:9000/b/flows/x.json?OSSAccessKeyId=STS.id&Expires=1714551000&Signature=a%2Bb%3D&security-token=t%2Fk")),
         "testid"),
        ("publish_flow_sts", lambda: sts.publish_flow(models.PublishFlowRequest(
            flow_id="flow_123", cust_space_id="cams-abc123")), "STS"),
        ("get_upload_authorization", lambda: sdk.get_chatapp_upload_authorization(
            models.GetChatappUploadAuthorizationRequest(cust_space_id="cams-abc123")), "testid"),
    ] + template_calls(sdk)


def template_calls(sdk):
    """The message template operations, each with the fields a template
    resource sends: Components and Example are JSON text on the wire."""
    c = models.CreateChatappTemplateRequestComponents
    b = models.CreateChatappTemplateRequestComponentsButtons
    create_components = [
        c(type="HEADER", format="TEXT", text="Join us 注册"),
        c(type="BODY", text="Hi {{1}}, sign up in two minutes *~ & more."),
        c(type="FOOTER", text="Reply STOP to opt out"),
        c(type="BUTTONS", buttons=[
            b(type="QUICK_REPLY", text="Stop", is_opt_out=True),
            b(type="FLOW", text="Sign up", flow_id="1234567890123456", flow_action="NAVIGATE",
              navigate_screen="WELCOME"),
        ]),
    ]
    m = models.ModifyChatappTemplateRequestComponents
    mb = models.ModifyChatappTemplateRequestComponentsButtons
    modify_components = [
        m(type="HEADER", format="IMAGE", url="https://cdn.example.com/a.png?x=1&y=2"),
        m(type="BODY", text="Hello {{1}}, your code is {{2}}."),
        m(type="BUTTONS", buttons=[
            mb(type="URL", text="Open", url="https://example.com/p/{{1}}", url_type="dynamic"),
            mb(type="PHONE_NUMBER", text="Call", phone_number="+8613800000000"),
        ]),
    ]
    return [
        ("create_chatapp_template", lambda: sdk.create_chatapp_template(models.CreateChatappTemplateRequest(
            name="signup_invite", language="en_US", category="MARKETING", template_type="WHATSAPP",
            components=create_components, example={"{{1}}": "Alice"}, cust_space_id="cams-abc123",
            message_send_ttl_seconds=600, category_change_paused=False)), "testid"),
        ("modify_chatapp_template", lambda: sdk.modify_chatapp_template(models.ModifyChatappTemplateRequest(
            template_code="744c4b5c79c9432497a075bdfca3xxxx", language="en_US", template_type="WHATSAPP",
            components=modify_components, example={"{{1}}": "Bob", "{{2}}": "12 34"},
            cust_space_id="cams-abc123")), "testid"),
        ("get_chatapp_template_detail", lambda: sdk.get_chatapp_template_detail(
            models.GetChatappTemplateDetailRequest(template_name="signup_invite", language="en_US",
                                                   template_type="WHATSAPP", cust_space_id="cams-abc123")),
         "testid"),
        ("list_chatapp_template", lambda: sdk.list_chatapp_template(models.ListChatappTemplateRequest(
            cust_space_id="cams-abc123", name="signup", language="en_US", audit_status="pass",
            category="MARKETING", template_type="WHATSAPP",
            page=models.ListChatappTemplateRequestPage(index=2, size=20))), "testid"),
        ("delete_chatapp_template", lambda: sdk.delete_chatapp_template(models.DeleteChatappTemplateRequest(
            template_code="744c4b5c79c9432497a075bdfca3xxxx", language="en_US", template_type="WHATSAPP",
            cust_space_id="cams-abc123")), "testid"),
    ]


def main():
    check = "--check" in sys.argv[1:]
    server = http.server.HTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    sdk = client(port)
    sts = client(port, token="CAIS+token/with=chars")
    os.makedirs(OUT_DIR, exist_ok=True)
    different = []
    for name, call, _ in calls(sdk, sts):
        captured.clear()
        call()
        request = captured[-1]
        query = request["target"].split("?", 1)[1]
        params = urllib.parse.parse_qsl(query, keep_blank_values=True)
        case = {
            "name": name,
            "source": SOURCE,
            "secret": SECRET,
            "method": request["method"],
            "body": request["body"],
            "wire_query": query,
            "params": [[k, v] for k, v in params],
            "signature": dict(params)["Signature"],
        }
        path = os.path.join(OUT_DIR, name + ".json")
        text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    different.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    server.shutdown()
    if different:
        print("differs from the SDK:", *different, sep="\n  ")
        sys.exit(1)
    print("all RPC vectors", "match" if check else "written")


if __name__ == "__main__":
    main()
