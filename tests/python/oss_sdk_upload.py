"""The upload path with official SDKs only: the CAMS SDK creates a flow and
gets an upload authorization; the OSS SDK (oss2) uploads and reads with
signature V1 and V4, in headers and as presigned URLs; the CAMS SDK hands a
presigned URL to UpdateFlowJSONAsset and reads the flow back. Run by
tests/emulator_python_sdk.rs against the emulator.

    python oss_sdk_upload.py CAMS_ENDPOINT(host:port) ACCESS_KEY_ID SECRET

Prints one JSON line: what each step answered (status or OSS error code).
"""
import json
import sys

import oss2
import requests
from alibabacloud_cams20200606 import models
from alibabacloud_cams20200606.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from oss2.credentials import StaticCredentialsProvider

DOC = b'{"version":"7.1","screens":[]}'


def outcome(step):
    try:
        result = step()
        return getattr(result, "status", 200)
    except oss2.exceptions.OssError as error:
        return error.code


def main():
    cams_endpoint, cams_ak, cams_secret = sys.argv[1:4]
    cams = Client(
        open_api_models.Config(
            access_key_id=cams_ak,
            access_key_secret=cams_secret,
            endpoint=cams_endpoint,
            protocol="http",
            region_id="ap-southeast-1",
        )
    )
    flow_id = cams.create_flow(
        models.CreateFlowRequest(flow_name="oss2 upload", categories=["OTHER"])
    ).body.data.flow_id
    grant = cams.get_chatapp_upload_authorization(
        models.GetChatappUploadAuthorizationRequest(cust_space_id="cams-sdk")
    ).body.data
    endpoint, bucket_name, directory = grant.end_point, grant.bucket_name, grant.dir
    ak, secret, token = grant.access_key_id, grant.access_key_secret, grant.security_token
    v1 = oss2.Bucket(oss2.StsAuth(ak, secret, token), endpoint, bucket_name)
    v4 = oss2.Bucket(
        oss2.ProviderAuthV4(StaticCredentialsProvider(ak, secret, token)),
        endpoint,
        bucket_name,
        region="ap-southeast-1",
    )
    wrong_token = oss2.Bucket(oss2.StsAuth(ak, secret, "CAISnot-the-token"), endpoint, bucket_name)
    wrong_secret = oss2.Bucket(
        oss2.ProviderAuthV4(StaticCredentialsProvider(ak, "wrong", token)),
        endpoint,
        bucket_name,
        region="ap-southeast-1",
    )
    key_v1, key_v4 = directory + "v1 doc.json", directory + "v4-doc.json"
    headers = {"Content-Type": "application/json"}
    seen = {
        "put_v1": outcome(lambda: v1.put_object(key_v1, DOC, headers=headers)),
        "put_v4": outcome(lambda: v4.put_object(key_v4, DOC, headers=headers)),
        "get_v1": v1.get_object(key_v4).read().decode(),
        "get_v4": v4.get_object(key_v1).read().decode(),
        "put_wrong_token": outcome(lambda: wrong_token.put_object(key_v1, DOC)),
        "put_wrong_secret": outcome(lambda: wrong_secret.put_object(key_v1, DOC)),
        "put_outside_dir": outcome(lambda: v1.put_object("elsewhere/doc.json", DOC)),
    }
    url_v1 = v1.sign_url("GET", key_v1, 600)
    url_v4 = v4.sign_url("GET", key_v4, 600)
    seen["presigned_v1"] = requests.get(url_v1).text
    seen["presigned_v4"] = requests.get(url_v4).text
    seen["presigned_v4_tampered"] = requests.get(url_v4.replace("x-oss-expires=600", "x-oss-expires=601")).status_code
    seen["update"] = cams.update_flow_jsonasset(
        models.UpdateFlowJSONAssetRequest(flow_id=flow_id, file_path=url_v4)
    ).body.code
    seen["json_version"] = cams.get_flow(models.GetFlowRequest(flow_id=flow_id)).body.data.jsonversion
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
