//! The schemas of the template resources and data sources, and the values
//! their arguments may take.

use crate::plugin::value::Type;
use crate::plugin::{Attribute, Block, NestedBlock, RequiresReplace, Schema, UseStateForUnknown};

/// Template categories CAMS documents (CreateChatappTemplate `Category`).
pub(crate) const CATEGORIES: [&str; 3] = ["UTILITY", "MARKETING", "AUTHENTICATION"];

/// Header formats of a WhatsApp template (`HEADER` component `Format`).
pub(crate) const HEADER_FORMATS: [&str; 5] = ["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"];

/// Button types this resource writes (`BUTTONS` component `Type`).
pub(crate) const BUTTON_TYPES: [&str; 5] =
    ["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "FLOW"];

/// `FlowAction` of a FLOW button.
pub(crate) const FLOW_ACTIONS: [&str; 2] = ["NAVIGATE", "DATA_EXCHANGE"];

/// `UrlType` of a URL button.
pub(crate) const URL_TYPES: [&str; 2] = ["static", "dynamic"];

/// `AuditStatus` values CAMS documents, as the data source filter takes them.
pub(crate) const AUDIT_STATUSES: [&str; 4] = ["auditing", "pass", "fail", "unaudit"];

fn listed(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn header_block() -> Block {
    Block::new("The header: a short text, or a media sample.")
        .attribute(Attribute::required(
            "format",
            Type::String,
            &format!("One of {}.", listed(&HEADER_FORMATS)),
        ))
        .attribute(Attribute::optional(
            "text",
            Type::String,
            "The header text, at most 60 characters; only with format `TEXT`.",
        ))
        .attribute(Attribute::optional(
            "example_url",
            Type::String,
            "A sample file for Meta's review (`https://` URL); required with `IMAGE`, `VIDEO` and `DOCUMENT`.",
        ))
}

fn body_block() -> Block {
    Block::new("The message text. Required, except for `AUTHENTICATION` templates, whose text Meta writes.")
        .attribute(Attribute::optional(
            "text",
            Type::String,
            "The text, at most 1024 characters, with variables `{{1}}`, `{{2}}`, ... numbered in order of first use.",
        ))
        .attribute(Attribute::optional(
            "examples",
            Type::list(Type::String),
            "One sample value per variable, in order (`examples[0]` for `{{1}}`): Meta's review needs them.",
        ))
}

fn button_block() -> Block {
    Block::new("A button, in order. At most 10; at most 2 `URL`, 1 `PHONE_NUMBER` and 1 `FLOW`; `QUICK_REPLY` buttons come together, not between `URL` and `PHONE_NUMBER` ones.")
        .attribute(Attribute::required(
            "type",
            Type::String,
            &format!("One of {}.", listed(&BUTTON_TYPES)),
        ))
        .attribute(Attribute::optional("text", Type::String, "The button's label."))
        .attribute(Attribute::optional(
            "flow_id",
            Type::String,
            "`FLOW`: the flow the button opens, e.g. `cams_flow.signup.id`.",
        ))
        .attribute(Attribute::optional(
            "flow_action",
            Type::String,
            &format!("`FLOW`: {} (default `NAVIGATE` when left out).", listed(&FLOW_ACTIONS)),
        ))
        .attribute(Attribute::optional(
            "navigate_screen",
            Type::String,
            "`FLOW` with `NAVIGATE`: the screen the flow opens on, one of the flow's `screen_ids`.",
        ))
        .attribute(Attribute::optional(
            "url",
            Type::String,
            "`URL`: the address; a `dynamic` one ends with `{{1}}`.",
        ))
        .attribute(Attribute::optional(
            "url_type",
            Type::String,
            &format!("`URL`: {}.", listed(&URL_TYPES)),
        ))
        .attribute(Attribute::optional(
            "example",
            Type::String,
            "`URL` of type `dynamic`: a sample full address for Meta's review.",
        ))
        .attribute(Attribute::optional(
            "phone_number",
            Type::String,
            "`PHONE_NUMBER`: the number to call, with its country code.",
        ))
        .attribute(Attribute::optional(
            "coupon_code",
            Type::String,
            "`COPY_CODE`: the code to copy (letters and digits).",
        ))
}

pub fn template_schema() -> Schema {
    Schema::new(
        Block::new(
            "A WhatsApp message template in CAMS, kept as code. Creating or changing it sends it to Meta's review and does not wait: `cams_chatapp_template_approval` waits for the verdict.",
        )
        .attribute(
            Attribute::computed(
                "id",
                Type::String,
                "`[CUST_SPACE_ID:]NAME:LANGUAGE`, also the import id. Unknown in a plan that changes the template, so a `cams_chatapp_template_approval` of it is replaced and waits for the new review.",
            )
            .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::required(
                "name",
                Type::String,
                "The template name: lowercase letters, digits and underscores, at most 512 characters. Changing it replaces the template; Meta keeps the old name blocked for 30 days after the deletion.",
            )
            .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::required(
                "language",
                Type::String,
                "The language code, e.g. `en_US`. Changing it replaces the template (under a new name: see `name`).",
            )
            .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::required(
                "category",
                Type::String,
                &format!("One of {}. Changing it replaces the template (under a new name: see `name`).", listed(&CATEGORIES)),
            )
            .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::optional_computed(
                "cust_space_id",
                Type::String,
                "The `CustSpaceId` the template belongs to; defaults to the provider's `cust_space_id`, else the account's own space. Changing it replaces the template.",
            )
            // Not RequiresReplace: a template of the account's own space
            // has a null space, which the runtime would plan as unknown;
            // the plan hook keeps the prior space and replaces on a change.
            .plan_modifier(UseStateForUnknown),
        )
        .attribute(Attribute::optional(
            "footer",
            Type::String,
            "A footer text, at most 60 characters.",
        ))
        .attribute(Attribute::optional(
            "message_send_ttl_seconds",
            Type::Number,
            "How long WhatsApp keeps trying to deliver a message of this template: 30 to 900 seconds for `AUTHENTICATION`, 30 to 43200 for `UTILITY`.",
        ))
        .attribute(
            Attribute::computed(
                "template_code",
                Type::String,
                "The `TemplateCode` CAMS gave the template.",
            )
            .plan_modifier(UseStateForUnknown),
        )
        .attribute(Attribute::computed(
            "audit_status",
            Type::String,
            "Meta's review: `auditing`, `pass`, `fail` or `unaudit`. Refreshed on every read without showing a change.",
        ))
        .attribute(Attribute::computed(
            "reason",
            Type::String,
            "Why Meta rejected the template, with `fail`.",
        ))
        .attribute(Attribute::computed(
            "quality_score",
            Type::String,
            "`GREEN`, `YELLOW`, `RED` or `UNKNOWN`, as Meta rates the template's messages.",
        ))
        .block(NestedBlock::single("header", header_block()))
        .block(NestedBlock::single("body", body_block()))
        .block(NestedBlock::list("button", button_block(), 0, 10)),
    )
}
