//! Rules about the document as a whole: its size, its top-level
//! properties, `version`, `data_api_version` and what needs what.

use super::catalogue::Version;
use super::json::{Kind, Node, Object};
use super::{quoted, report_wrong_type, Report, Rule, MAX_DOCUMENT_BYTES};

/// The top-level properties of Flow JSON, from Meta's "Flow JSON"
/// reference (developers.facebook.com/docs/whatsapp/flows/reference/flowjson):
/// `version`, `data_api_version`, `routing_model`, `screens`, and the
/// retired `data_channel_uri`.
const TOP_LEVEL_PROPERTIES: [&str; 5] = [
    "version",
    "data_api_version",
    "routing_model",
    "screens",
    "data_channel_uri",
];

/// Versions Meta publishes flows with (Flows changelog).
const PUBLISHABLE_VERSIONS: [&str; 9] = [
    "5.1", "6.0", "6.1", "6.2", "6.3", "7.0", "7.1", "7.2", "7.3",
];

/// Older versions: flows already published with them can still be sent,
/// but a flow cannot be published with them any more.
const SENDING_ONLY_VERSIONS: [&str; 5] = ["2.1", "3.0", "3.1", "4.0", "5.0"];

const DATA_API_VERSIONS: [&str; 2] = ["3.0", "4.0"];

/// The top-level object, for the other groups of rules.
pub(super) struct TopLevel<'a> {
    pub object: Object<'a>,
    /// The version when it reads as "M.m"; rules that depend on the
    /// version stay silent without one.
    pub version: Option<Version>,
}

/// Reports a document over the limit, and tells whether it was (then no
/// other rule runs: the text is not even parsed).
pub(super) fn check_size(text: &str, report: &mut Report<'_>) -> bool {
    if text.len() <= MAX_DOCUMENT_BYTES {
        return false;
    }
    report.add_at(
        0,
        String::new(),
        Rule::DocumentTooLarge,
        format!(
            "The document is {} bytes; Flow JSON is limited to {MAX_DOCUMENT_BYTES} bytes (10 MiB).",
            text.len()
        ),
    );
    true
}

/// Checks the top level; `None` when the document is not an object (then
/// no other rule applies).
pub(super) fn check<'a>(root: &Node<'a>, report: &mut Report<'_>) -> Option<TopLevel<'a>> {
    let Some(object) = root.as_object() else {
        report_wrong_type(report, root, "A Flow JSON document", Kind::Object);
        return None;
    };
    for (key, value) in object.iter() {
        if !TOP_LEVEL_PROPERTIES.contains(&key) {
            report.add(
                &value,
                Rule::UnknownProperty,
                format!(
                    "{} is not a Flow JSON property; the top level allows only {}.",
                    quoted(key),
                    TOP_LEVEL_PROPERTIES.join(", ")
                ),
            );
        }
    }
    let (version, known) = check_version(&object, report);
    check_data_api_version(&object, report);
    check_data_channel_uri(&object, version, report);
    Some(TopLevel {
        object,
        version: version.filter(|_| known),
    })
}

/// A version as major and minor numbers, when it reads as "M.m".
type VersionNumber = Version;

/// The version as a number, and whether it is one Meta has.
fn check_version(object: &Object<'_>, report: &mut Report<'_>) -> (Option<VersionNumber>, bool) {
    let Some(node) = object.get("version") else {
        report.add(
            object.node(),
            Rule::VersionMissing,
            "The document has no \"version\"; publishable versions are 5.1, 6.0-6.3 and 7.0-7.3.",
        );
        return (None, false);
    };
    let Some(version) = node.as_str() else {
        // Meta's schema has the version as a string: 7.1 is not "7.1".
        report_wrong_type(report, &node, "\"version\"", Kind::String);
        return (None, false);
    };
    if SENDING_ONLY_VERSIONS.contains(&&*version) {
        report.add(
            &node,
            Rule::VersionNotPublishable,
            format!(
                "Flow JSON version {} can still be sent but no longer published; use 5.1, 6.0-6.3 or 7.0-7.3.",
                quoted(&version)
            ),
        );
    } else if !PUBLISHABLE_VERSIONS.contains(&&*version) {
        report.add(
            &node,
            Rule::VersionUnknown,
            format!(
                "{} is not a Flow JSON version this provider knows; publishable versions are 5.1, 6.0-6.3 and 7.0-7.3.",
                quoted(&version)
            ),
        );
    }
    // Rules that depend on the version judge only a version Meta has.
    let known =
        PUBLISHABLE_VERSIONS.contains(&&*version) || SENDING_ONLY_VERSIONS.contains(&&*version);
    (version_number(&version), known)
}

fn version_number(version: &str) -> Option<VersionNumber> {
    let (major, minor) = version.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn check_data_api_version(object: &Object<'_>, report: &mut Report<'_>) {
    let Some(node) = object.get("data_api_version") else {
        return;
    };
    match node.as_str() {
        None => report_wrong_type(report, &node, "\"data_api_version\"", Kind::String),
        Some(v) if !DATA_API_VERSIONS.contains(&&*v) => report.add(
            &node,
            Rule::DataApiVersionUnknown,
            format!(
                "The data_api_version {} is unknown; use \"3.0\" or \"4.0\".",
                quoted(&v)
            ),
        ),
        Some(_) => {}
    }
    if !object.contains("routing_model") {
        report.add(
            &node,
            Rule::DataApiVersionWithoutRoutingModel,
            "A flow with \"data_api_version\" needs a \"routing_model\" listing the routes between its screens.",
        );
    }
}

/// Allowed only before version 3.0. When the version cannot be read its
/// own rule has already spoken, and this one stays silent.
fn check_data_channel_uri(
    object: &Object<'_>,
    version: Option<VersionNumber>,
    report: &mut Report<'_>,
) {
    let Some(node) = object.get("data_channel_uri") else {
        return;
    };
    if version.is_some_and(|v| v >= (3, 0)) {
        report.add(
            &node,
            Rule::DataChannelUriNotAllowed,
            "\"data_channel_uri\" is not allowed from Flow JSON version 3.0; set the flow's endpoint (endpoint_uri) instead.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn the_good_document_passes() {
        assert_problems(&good(), &[]);
    }

    #[test]
    fn an_oversized_document_is_reported_at_the_document() {
        let mut doc = good();
        // Padding inside a screen's data example keeps every other rule quiet.
        set(
            &mut doc,
            "/screens/1/data/name/__example__",
            json!("x".repeat(MAX_DOCUMENT_BYTES)),
        );
        let text = serde_json::to_string(&doc).unwrap();
        assert_eq!(
            found_in(&text),
            vec![(String::new(), Rule::DocumentTooLarge)]
        );
    }

    #[test]
    fn a_document_exactly_at_the_limit_passes() {
        let mut doc = good();
        let base = serde_json::to_string(&doc).unwrap().len();
        let padding = "x".repeat(MAX_DOCUMENT_BYTES - base);
        set(
            &mut doc,
            "/screens/1/data/name/__example__",
            json!(format!("{padding}Mei")),
        );
        let text = serde_json::to_string(&doc).unwrap();
        assert_eq!(text.len(), MAX_DOCUMENT_BYTES);
        assert_eq!(found_in(&text), vec![]);
    }

    #[test]
    fn json_that_is_not_an_object_is_a_wrong_type_and_nothing_else() {
        for text in ["[]", "\"flow\"", "7", "null"] {
            assert_eq!(
                found_in(text),
                vec![(String::new(), Rule::WrongType)],
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_top_level_properties_are_reported_where_they_are() {
        let mut doc = good();
        set(&mut doc, "/name", json!("signup"));
        set(&mut doc, "/a~0b~1c", json!(1));
        assert_problems(
            &doc,
            &[
                ("/name", Rule::UnknownProperty),
                ("/a~0b~1c", Rule::UnknownProperty),
            ],
        );
    }

    #[test]
    fn the_version_is_required() {
        let mut doc = good();
        remove(&mut doc, "/version");
        assert_problems(&doc, &[("", Rule::VersionMissing)]);
    }

    #[test]
    fn every_publishable_version_passes() {
        for v in PUBLISHABLE_VERSIONS {
            let mut doc = good();
            set(&mut doc, "/version", json!(v));
            assert_problems(&doc, &[]);
        }
    }

    #[test]
    fn sending_only_versions_are_their_own_rule() {
        for v in ["4.0", "5.0"] {
            let mut doc = good();
            set(&mut doc, "/version", json!(v));
            assert_problems(&doc, &[("/version", Rule::VersionNotPublishable)]);
        }
    }

    #[test]
    fn unknown_versions_and_numbers_are_reported() {
        for v in ["1.0", "7.4", "", "latest", "07.1"] {
            let mut doc = good();
            set(&mut doc, "/version", json!(v));
            assert_problems(&doc, &[("/version", Rule::VersionUnknown)]);
        }
        let mut doc = good();
        set(&mut doc, "/version", json!(7.1));
        assert_problems(&doc, &[("/version", Rule::WrongType)]);
    }

    #[test]
    fn data_api_version_is_3_0_or_4_0() {
        for v in ["3.0", "4.0"] {
            let mut doc = with_data_exchange();
            set(&mut doc, "/data_api_version", json!(v));
            assert_problems(&doc, &[]);
        }
        let mut doc = with_data_exchange();
        set(&mut doc, "/data_api_version", json!("2.0"));
        assert_problems(&doc, &[("/data_api_version", Rule::DataApiVersionUnknown)]);
        set(&mut doc, "/data_api_version", json!(3));
        assert_problems(&doc, &[("/data_api_version", Rule::WrongType)]);
    }

    #[test]
    fn data_api_version_needs_a_routing_model() {
        let mut doc = with_data_exchange();
        remove(&mut doc, "/routing_model");
        assert_problems(
            &doc,
            &[("/data_api_version", Rule::DataApiVersionWithoutRoutingModel)],
        );
    }

    #[test]
    fn data_channel_uri_is_refused_from_version_3_0_only() {
        let mut doc = good();
        set(
            &mut doc,
            "/data_channel_uri",
            json!("https://example.com/flow"),
        );
        assert_problems(
            &doc,
            &[("/data_channel_uri", Rule::DataChannelUriNotAllowed)],
        );
        set(&mut doc, "/version", json!("3.0"));
        // Before 4.0 WELCOME's input must be inside a Form.
        let input = ("/screens/0/layout/children/1", Rule::InputOutsideForm);
        assert_problems(
            &doc,
            &[
                ("/version", Rule::VersionNotPublishable),
                ("/data_channel_uri", Rule::DataChannelUriNotAllowed),
                input,
            ],
        );
        set(&mut doc, "/version", json!("2.1"));
        assert_problems(&doc, &[("/version", Rule::VersionNotPublishable), input]);
    }

    #[test]
    fn version_numbers_read_major_and_minor() {
        assert_eq!(version_number("7.10"), Some((7, 10)));
        assert_eq!(version_number("2.1"), Some((2, 1)));
        assert_eq!(version_number("7"), None);
        assert_eq!(version_number("7.x"), None);
        assert_eq!(version_number(".1"), None);
    }
}
