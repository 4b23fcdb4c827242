"""Drives a CAMS endpoint's message template operations with the official Python SDK
(alibabacloud-cams20200606): CreateChatappTemplate (with a FLOW button), GetChatappTemplateDetail,
ListChatappTemplate, ModifyChatappTemplate after a rejection, DeleteChatappTemplate, and the
errors of an unknown template and of a blocked name. Run by tests/emulator_python_sdk.rs against
the emulator, whose admin call (POST /_emulator/templates/review) decides the review.

    python cams_sdk_templates.py ENDPOINT(host:port) ACCESS_KEY_ID SECRET SIGNATURE(v3|v2) FLOW_ID SCREEN

Prints one JSON line with what the SDK returned; exits non-zero on an unexpected SDK error.
"""
import json
import sys
import urllib.request

from alibabacloud_cams20200606 import models
from alibabacloud_cams20200606.client import Client
from alibabacloud_tea_openapi import models as open_api_models

SPACE = "cams-sdk-templates"


def review(endpoint, name, language, status, reason=None):
    body = {"name": name, "language": language, "cust_space_id": SPACE, "status": status}
    if reason:
        body["reason"] = reason
    request = urllib.request.Request(
        "http://{}/_emulator/templates/review".format(endpoint),
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def error_code(call):
    try:
        call()
    except Exception as e:  # the SDK raises TeaException / ClientException with .code
        return getattr(e, "code", type(e).__name__)
    return "no error"


def main():
    endpoint, access_key_id, secret, signature, flow_id, screen = sys.argv[1:7]
    config = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
        region_id="ap-southeast-1",
    )
    if signature == "v2":
        config.signature_algorithm = "v2"
    client = Client(config)
    name = "python_sdk_" + signature
    c = models.CreateChatappTemplateRequestComponents
    b = models.CreateChatappTemplateRequestComponentsButtons
    created = client.create_chatapp_template(models.CreateChatappTemplateRequest(
        name=name, language="en_US", category="MARKETING", template_type="WHATSAPP", cust_space_id=SPACE,
        example={"{{1}}": "Alice"},
        components=[
            c(type="HEADER", format="TEXT", text="Join us"),
            c(type="BODY", text="Hi {{1}}, sign up in two minutes."),
            c(type="FOOTER", text="Reply STOP to opt out"),
            c(type="BUTTONS", buttons=[b(type="FLOW", text="Sign up", flow_id=flow_id, flow_action="NAVIGATE",
                                         navigate_screen=screen)]),
        ],
    )).body
    code = created.data.template_code
    detail = client.get_chatapp_template_detail(models.GetChatappTemplateDetailRequest(
        template_code=code, language="en_US", template_type="WHATSAPP", cust_space_id=SPACE)).body
    button = detail.data.components[3].buttons[0]
    listed = client.list_chatapp_template(models.ListChatappTemplateRequest(
        cust_space_id=SPACE, name=name, template_type="WHATSAPP",
        page=models.ListChatappTemplateRequestPage(index=1, size=20))).body

    review(endpoint, name, "en_US", "fail", "INVALID_FORMAT")
    rejected = client.get_chatapp_template_detail(models.GetChatappTemplateDetailRequest(
        template_name=name, language="en_US", template_type="WHATSAPP", cust_space_id=SPACE)).body
    m = models.ModifyChatappTemplateRequestComponents
    modified = client.modify_chatapp_template(models.ModifyChatappTemplateRequest(
        template_code=code, language="en_US", template_type="WHATSAPP", cust_space_id=SPACE,
        example={"{{1}}": "Bob"}, components=[m(type="BODY", text="Hello {{1}}, join us.")])).body
    after = client.get_chatapp_template_detail(models.GetChatappTemplateDetailRequest(
        template_code=code, language="en_US", template_type="WHATSAPP", cust_space_id=SPACE)).body

    deleted = client.delete_chatapp_template(models.DeleteChatappTemplateRequest(
        template_code=code, language="en_US", template_type="WHATSAPP", cust_space_id=SPACE)).body
    gone = error_code(lambda: client.get_chatapp_template_detail(models.GetChatappTemplateDetailRequest(
        template_code=code, language="en_US", template_type="WHATSAPP", cust_space_id=SPACE)))
    blocked = error_code(lambda: client.create_chatapp_template(models.CreateChatappTemplateRequest(
        name=name, language="en_US", category="UTILITY", template_type="WHATSAPP", cust_space_id=SPACE,
        components=[c(type="BODY", text="Again")])))
    print(json.dumps({
        "create": {"code": created.code, "template_code": code, "name": created.data.template_name},
        "get": {"code": detail.code, "name": detail.data.name, "status": detail.data.audit_status,
                "category": detail.data.category, "example": detail.data.example,
                "flow_id": button.flow_id, "navigate_screen": button.navigate_screen,
                "flow_action": button.flow_action},
        "list": {"code": listed.code, "total": listed.total,
                 "names": [t.template_name for t in listed.list_template],
                 "statuses": [t.audit_status for t in listed.list_template]},
        "rejected": {"status": rejected.data.audit_status, "reason": rejected.data.reason},
        "modify": {"code": modified.code, "template_code": modified.data.template_code},
        "after_modify": {"status": after.data.audit_status, "body": after.data.components[0].text,
                         "example": after.data.example},
        "delete": deleted.code,
        "get_deleted": gone,
        "create_blocked": blocked,
    }))


if __name__ == "__main__":
    main()
