"""Drives a CAMS endpoint with the official Python SDK (alibabacloud-cams20200606):
CreateFlow, GetFlow, ListFlow. Run by tests/emulator_python_sdk.rs against the emulator.

    python cams_sdk_flows.py ENDPOINT(host:port) ACCESS_KEY_ID SECRET SIGNATURE(v3|v2)

Prints one JSON line with what the SDK returned; exits non-zero on any SDK error.
"""
import json
import sys

from alibabacloud_cams20200606 import models
from alibabacloud_cams20200606.client import Client
from alibabacloud_tea_openapi import models as open_api_models


def main():
    endpoint, access_key_id, secret, signature = sys.argv[1:5]
    config = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
        region_id="ap-southeast-1",
    )
    if signature == "v2":
        # The RPC HMAC-SHA1 signer (SignatureVersion 1.0); the default is V3.
        config.signature_algorithm = "v2"
    client = Client(config)
    name = "python-sdk-" + signature
    created = client.create_flow(
        models.CreateFlowRequest(flow_name=name, categories=["SIGN_UP", "OTHER"], cust_space_id="cams-sdk")
    ).body
    flow_id = created.data.flow_id
    got = client.get_flow(models.GetFlowRequest(flow_id=flow_id, cust_space_id="cams-sdk")).body
    listed = client.list_flow(
        models.ListFlowRequest(
            cust_space_id="cams-sdk",
            flow_name=name,
            page=models.ListFlowRequestPage(index=1, size=20),
        )
    ).body
    print(
        json.dumps(
            {
                "create": {"code": created.code, "flow_id": flow_id, "name": created.data.flow_name,
                           "categories": created.data.categories},
                "get": {"code": got.code, "flow_id": got.data.flow_id, "name": got.data.flow_name,
                        "status": got.data.status, "categories": got.data.categories},
                "list": {"code": listed.code, "flow_ids": [f.flow_id for f in listed.data]},
            }
        )
    )


if __name__ == "__main__":
    main()
