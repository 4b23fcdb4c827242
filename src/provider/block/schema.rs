//! The schema of the `cams` provider block, with the descriptions users
//! see in `terraform providers schema` and the generated docs.

use crate::plugin::value::Type;
use crate::plugin::{Attribute, Block, NestedBlock, Schema};

pub(crate) const DEFAULT_REGION: &str = "ap-southeast-1";
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 5;
pub(crate) const DEFAULT_MAX_CONTENT_BYTES: u64 = 64 * 1024 * 1024;
pub(crate) const DEFAULT_REQUEST_TIMEOUT_SECONDS: u64 = 60;
pub(crate) const DEFAULT_THROTTLE_TIMEOUT_SECONDS: u64 = 300;
/// Turns the host-wide budget off when `shared_rate_limit` is not set.
pub(crate) const SHARED_RATE_LIMIT_ENV: &str = "ALIBABA_CLOUD_CAMS_SHARED_RATE_LIMIT";
/// Chooses the signature when `signature_version` is not set.
pub(crate) const SIGNATURE_VERSION_ENV: &str = "ALIBABA_CLOUD_SIGNATURE_VERSION";
/// The region when `region` is not set, in this order.
pub(crate) const REGION_ENV: [&str; 2] = ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"];

pub fn provider_schema() -> Schema {
    Schema::new(
        Block::new(
            "The `cams` provider manages WhatsApp Flows in Alibaba Cloud Chat App Message Service (CAMS) as code: the `cams_flow` resource, data sources that read flows and their Flow JSON, and functions that check a Flow JSON document offline. Set `cust_space_id` to the space your flows belong to; every other argument is optional, and credentials are looked up in the usual Alibaba Cloud places when not given. Without access keys anywhere, an ECS RAM role named by `ALIBABA_CLOUD_ECS_METADATA` (or `ALICLOUD_ECS_ROLE_NAME`) is used through the instance metadata service. Without an `assume_role` block, `ALIBABA_CLOUD_ROLE_ARN` (or `ALICLOUD_ASSUME_ROLE_ARN`) names a role to assume.",
        )
        .attribute(Attribute::optional(
            "access_key",
            Type::String,
            "Alibaba Cloud AccessKey ID. Falls back to `ALIBABA_CLOUD_ACCESS_KEY_ID`, then `ALICLOUD_ACCESS_KEY`, then the CLI profile.",
        ))
        .attribute(
            Attribute::optional(
                "secret_key",
                Type::String,
                "Alibaba Cloud AccessKey secret. Falls back to `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, then `ALICLOUD_SECRET_KEY`. Prefer the environment over writing it in configuration.",
            )
            .sensitive(),
        )
        .attribute(
            Attribute::optional(
                "security_token",
                Type::String,
                "STS security token for temporary credentials. Falls back to `ALIBABA_CLOUD_SECURITY_TOKEN`, then `ALICLOUD_SECURITY_TOKEN`.",
            )
            .sensitive(),
        )
        .attribute(Attribute::optional(
            "region",
            Type::String,
            "Region of the CAMS endpoint, `cams.<region>.aliyuncs.com`, and of the default STS endpoint. Falls back to `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`; defaults to `ap-southeast-1` (Singapore, the only documented CAMS region).",
        ))
        .attribute(Attribute::optional(
            "endpoint",
            Type::String,
            "CAMS API endpoint, as a host (`cams.ap-southeast-1.aliyuncs.com`) or a URL (`https://...`; plain `http://` only for loopback hosts such as the local emulator). Falls back to `ALIBABA_CLOUD_CAMS_ENDPOINT`. Overrides `region`.",
        ))
        .attribute(Attribute::optional(
            "profile",
            Type::String,
            "Name of a profile in the Alibaba Cloud CLI configuration file (modes `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`). Falls back to `ALIBABA_CLOUD_PROFILE`, then `ALICLOUD_PROFILE`.",
        ))
        .attribute(Attribute::optional(
            "shared_credentials_file",
            Type::String,
            "Path of the Alibaba Cloud CLI configuration file. Defaults to `~/.aliyun/config.json`; falls back to `ALIBABA_CLOUD_CREDENTIALS_FILE`, then `ALICLOUD_SHARED_CREDENTIALS_FILE`.",
        ))
        .attribute(Attribute::optional(
            "sts_endpoint",
            Type::String,
            "STS endpoint used by `assume_role` and `assume_role_with_oidc`, as a host or URL. Defaults to `sts.<region>.aliyuncs.com`, where the region is `ALIBABA_CLOUD_STS_REGION` if set, else `region`; with `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true` the VPC endpoint `sts-vpc.<region>.aliyuncs.com`.",
        ))
        .attribute(Attribute::optional(
            "signature_version",
            Type::String,
            "How CAMS and STS `AssumeRole` requests are signed: `v3` (`ACS3-HMAC-SHA256`, what Alibaba Cloud's current SDKs send) or `v1` (`HMAC-SHA1`, the older scheme, for a proxy or gateway that only knows it). Falls back to `ALIBABA_CLOUD_SIGNATURE_VERSION`; defaults to `v3`.",
        ))
        .attribute(Attribute::optional(
            "cust_space_id",
            Type::String,
            "The CAMS space (`CustSpaceId`: the ISV sub-customer space ID, or a direct customer's instance ID) that flows belong to. `cams_flow` needs one, since a flow's Flow JSON is uploaded to its space's storage: set it here, or on each resource; `terraform validate` warns about a flow with neither, and the plan refuses to create one. Resources and data sources that set their own `cust_space_id` use theirs.",
        ))
        .attribute(Attribute::optional(
            "max_retries",
            Type::Number,
            "Most attempts per API call that fail transiently (5xx, connection resets, timeouts). Throttling answers do not count: they are retried within `throttle_timeout`. Defaults to 5; 1 disables retries of transient failures. 1 to 20.",
        ))
        .attribute(Attribute::optional(
            "rate_limit",
            Type::Number,
            "Most CAMS requests per second per AccessKey ID and operation, shared by every read in this Terraform run and, with `shared_rate_limit`, by every provider process of this user on this machine. Unset, each operation keeps its documented limit: 5 for every Flow operation and for reading, listing and deleting templates, 50 for creating and modifying templates. Set, it applies to every operation. 1 to 1000.",
        ))
        .attribute(Attribute::optional(
            "shared_rate_limit",
            Type::Bool,
            "Share `rate_limit` with the other provider processes of this user on this machine (concurrent Terraform runs, Terragrunt run-all, aliased provider blocks), through a small private file in `$XDG_RUNTIME_DIR` (else the temp directory) named by a hash of the AccessKey ID, so that together they stay within the account's limit. Falls back to `ALIBABA_CLOUD_CAMS_SHARED_RATE_LIMIT` (`true`/`false`, `1`/`0`); defaults to true. When off, or when that directory cannot be used, each process paces alone and slows down when CAMS throttles it.",
        ))
        .attribute(Attribute::optional(
            "throttle_timeout",
            Type::Number,
            "How long, in seconds, a CAMS call keeps retrying while CAMS answers that the account's request rate is exceeded, each wait following CAMS' `x-acs-retry-after`. 1 to 3600; defaults to 300.",
        ))
        .attribute(Attribute::optional(
            "max_content_bytes",
            Type::Number,
            "Largest Flow JSON file to download, in bytes. Defaults to 67108864 (64 MiB). 1 to 2^40.",
        ))
        .attribute(Attribute::optional(
            "request_timeout",
            Type::Number,
            "Longest time one HTTP request may take in all, in seconds, from sending it to the last byte of the answer: CAMS calls, STS, ECS metadata and Flow JSON downloads. A server that answers too slowly fails the request with an error naming this argument. 1 to 3600; defaults to 60.",
        ))
        .block(NestedBlock::list(
            "assume_role",
            Block::new("Assume a RAM role through STS `AssumeRole` on top of the credentials found, and use its temporary credentials.")
                .attribute(Attribute::required(
                    "role_arn",
                    Type::String,
                    "ARN of the RAM role to assume, e.g. `acs:ram::123456789012:role/terraform`.",
                ))
                .attribute(Attribute::optional(
                    "session_name",
                    Type::String,
                    "Role session name (2-64 characters of `A-Za-z0-9.@_-`). Falls back to `ALIBABA_CLOUD_ROLE_SESSION_NAME`, then `ALICLOUD_ASSUME_ROLE_SESSION_NAME`, then `terraform`.",
                ))
                .attribute(Attribute::optional(
                    "session_expiration",
                    Type::Number,
                    "Lifetime of the temporary credentials in seconds, 900 to 43200. Falls back to `ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION`, then 3600.",
                ))
                .attribute(Attribute::optional(
                    "policy",
                    Type::String,
                    "A RAM policy document (JSON) that further restricts the assumed role's permissions.",
                ))
                .attribute(Attribute::optional(
                    "external_id",
                    Type::String,
                    "External ID required by the role's trust policy, if any.",
                )),
            0,
            1,
        ))
        .block(NestedBlock::list(
            "assume_role_with_oidc",
            Block::new("Exchange an OIDC token (from a CI job such as GitHub Actions or GitLab CI, or a Kubernetes service account) for a RAM role's temporary credentials through STS `AssumeRoleWithOIDC`, with no AccessKey anywhere. The call to STS is not signed. The credentials are refreshed before they expire, reading the token file again each time. An `assume_role` block may assume a further role on top. Conflicts with `access_key`, `profile` and `shared_credentials_file`.")
                .attribute(Attribute::optional(
                    "oidc_provider_arn",
                    Type::String,
                    "ARN of the OIDC identity provider registered in RAM, e.g. `acs:ram::123456789012:oidc-provider/github`. Falls back to `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`.",
                ))
                .attribute(Attribute::optional(
                    "role_arn",
                    Type::String,
                    "ARN of the RAM role to assume, whose trust policy allows the OIDC provider. Falls back to `ALIBABA_CLOUD_ROLE_ARN`.",
                ))
                .attribute(Attribute::optional(
                    "oidc_token_file",
                    Type::String,
                    "Path of the file holding the OIDC token (a JWT), read again at each refresh so a runner or the kubelet may rotate it. A leading `~/` is expanded. Falls back to `ALIBABA_CLOUD_OIDC_TOKEN_FILE`. Conflicts with `oidc_token`.",
                ))
                .attribute(
                    Attribute::optional(
                        "oidc_token",
                        Type::String,
                        "The OIDC token itself. It cannot be refreshed during a run: prefer `oidc_token_file`. Conflicts with `oidc_token_file`.",
                    )
                    .sensitive(),
                )
                .attribute(Attribute::optional(
                    "role_session_name",
                    Type::String,
                    "Role session name (2-64 characters of `A-Za-z0-9.@_-`), e.g. the CI run's id. Falls back to `ALIBABA_CLOUD_ROLE_SESSION_NAME`, then `terraform`.",
                ))
                .attribute(Attribute::optional(
                    "policy",
                    Type::String,
                    "A RAM policy document (JSON) that further restricts the role's permissions.",
                ))
                .attribute(Attribute::optional(
                    "session_expiration",
                    Type::Number,
                    "Lifetime of the temporary credentials in seconds, 900 to 43200 (and at most the role's maximum session duration). Defaults to 3600.",
                )),
            0,
            1,
        )),
    )
}
