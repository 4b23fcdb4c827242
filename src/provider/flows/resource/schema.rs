//! The `cams_flow` schema and the values its arguments may take.

use crate::plugin::value::Type;
use crate::plugin::{
    Attribute, Block, RequiresReplaceIf, Schema, SemanticEquality, UseStateForUnknown,
};

/// The eight categories CAMS documents for a flow (ModifyFlow's page;
/// Meta's list without SHOPPING).
pub(crate) const CATEGORIES: [&str; 8] = [
    "SIGN_UP",
    "SIGN_IN",
    "APPOINTMENT_BOOKING",
    "LEAD_GENERATION",
    "CONTACT_US",
    "CUSTOMER_SUPPORT",
    "SURVEY",
    "OTHER",
];

/// The statuses a configuration may ask for, in the only order a flow
/// moves through them.
pub(crate) const STATUSES: [&str; 3] = ["DRAFT", "PUBLISHED", "DEPRECATED"];

/// What `status` is when the configuration leaves it out.
pub(crate) const DEFAULT_STATUS: &str = "DRAFT";

pub(crate) fn flow_resource_schema() -> Schema {
    let categories = CATEGORIES
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Schema::new(
        Block::new(
            "A WhatsApp Flow in CAMS, kept as code: created, given its Flow JSON, published and retired by Terraform. The Flow JSON is checked offline at plan time; a re-formatted but equal document never shows a change.",
        )
        .attribute(
            Attribute::computed("id", Type::String, "The FlowId CAMS gave the flow.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(Attribute::required(
            "name",
            Type::String,
            "The flow's name in CAMS. Changed in place while the flow is a draft; a change to a published or deprecated flow replaces it.",
        ))
        .attribute(Attribute::required(
            "categories",
            Type::set(Type::String),
            &format!("The flow's categories, one or more of {categories}. Changed in place while the flow is a draft; a change to a published or deprecated flow replaces it."),
        ))
        .attribute(
            Attribute::required(
                "content",
                Type::String,
                "The Flow JSON document, e.g. `file(\"flows/signup.json\")`. It is checked offline against Meta's static rules at plan time: problems are errors when `status` is `PUBLISHED` or `DEPRECATED` (a new flow is published before it is deprecated), warnings otherwise; text that is not JSON, or larger than 10 MiB or than the provider's `max_content_bytes`, is always an error. A document equal in meaning to the one in state (white space, key order, string escapes) keeps the state's text, so re-formatting the file plans no change. Uploaded to the space's OSS bucket and handed to CAMS with UpdateFlowJSONAsset.",
            )
            .plan_modifier(SemanticEquality::json()),
        )
        .attribute(Attribute::optional(
            "endpoint_uri",
            Type::String,
            "The https endpoint of a flow that exchanges data (`data_api_version`). Changed in place while the flow is a draft. `\"\"` (e.g. a variable's empty default) means no endpoint, as null does, and is kept in the state as written.",
        ))
        .attribute(
            Attribute::optional_computed(
                "cust_space_id",
                Type::String,
                "The `CustSpaceId` (ISV sub-customer space or instance ID) the flow belongs to. Defaults to the provider's `cust_space_id`; one of the two is needed, since the Flow JSON is uploaded to the space's storage. Changing it replaces the flow; after an import by plain `FLOW_ID` (which cannot read the space back) the configured or provider value is adopted in place, without replacement.",
            )
            .plan_modifier(UseStateForUnknown)
            .plan_modifier(RequiresReplaceIf::prior_known()),
        )
        .attribute(Attribute::optional_computed(
            "status",
            Type::String,
            "`DRAFT`, `PUBLISHED` or `DEPRECATED`. Left out, a new flow is a `DRAFT` and an existing (e.g. imported) flow keeps the status CAMS has. A flow only moves forward: DRAFT → PUBLISHED → DEPRECATED; asking a published or deprecated flow for an earlier status plans its replacement (a new flow in that status; the old one is retired), with a warning. Destroying a draft deletes it; CAMS cannot delete a published flow, so destroying one deprecates it; a deprecated flow is only removed from the state.",
        ))
        .attribute(
            Attribute::computed(
                "json_version",
                Type::String,
                "The Flow JSON `version` of `content`, e.g. `7.0`; null when absent.",
            ),
        )
        .attribute(Attribute::computed(
            "data_api_version",
            Type::String,
            "The Flow JSON `data_api_version` of `content`; null when absent.",
        ))
        .attribute(Attribute::computed(
            "content_sha256",
            Type::String,
            "Lowercase hex SHA-256 of `content` as stored in the state.",
        ))
        .attribute(Attribute::computed(
            "screen_ids",
            Type::list(Type::String),
            "The `id` of each screen of `content`, in document order.",
        )),
    )
}
