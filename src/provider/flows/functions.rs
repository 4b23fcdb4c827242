//! The provider functions (Terraform 1.8 and later): offline looks at a
//! Flow JSON document. They need no credentials and no provider block, so
//! they work in `terraform console`, `validate` and any module.
//!
//! * `flow_json_problems(content)`: the rule violations, as text.
//! * `flow_json_problem_details(content)`: the same, as objects (rule,
//!   severity, pointer, line, column, message) for `check` blocks and CI.
//! * `flow_json_summary(content)`: what the document declares.
//!
//! Both problem functions keep at most [`flow_rules::DEFAULT_MAX_PROBLEMS`]
//! problems and say how many more there are, so a hostile document cannot
//! make Terraform hold millions of them.

use crate::model;
use crate::plugin::model::{Field, Model};
use crate::plugin::value::{Type, Value};
use crate::plugin::{
    CallRequest, CallResponse, Function, FunctionDefinition, FunctionError, Parameter,
};

use super::rules::{self as flow_rules, Checked, Problem, SyntaxError, DEFAULT_MAX_PROBLEMS};
use super::summary::summarize;

/// The one parameter both functions take.
fn content_parameter() -> Parameter {
    Parameter::new(
        "content",
        Type::String,
        "The Flow JSON document as text, e.g. file(\"flows/signup.json\").",
    )
    .markdown("The Flow JSON document as text, e.g. `file(\"flows/signup.json\")`.")
}

/// The `content` argument; null is refused by the runtime before the call
/// (the parameter does not allow null), so this only guards against a
/// runtime that changed.
fn content(req: &CallRequest) -> Result<&str, FunctionError> {
    req.string(0)
        .ok_or_else(|| FunctionError::argument(0, "content must be a string"))
}

/// `provider::cams::flow_json_problems(content) -> list(string)`.
pub(crate) struct FlowJsonProblems;

#[async_trait::async_trait]
impl Function for FlowJsonProblems {
    fn name(&self) -> &'static str {
        "flow_json_problems"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition::new(
            "Checks a Flow JSON document offline and lists its problems",
            "Checks a WhatsApp Flow JSON document against the static rules Meta applies when a flow is published (the same checks the cams_flow resource makes at plan time), without calling CAMS. Returns one string per problem, \"POINTER (line L, column C): message (rule ID)\", where POINTER is the RFC 6901 JSON pointer of the offending value (\"(document)\" for the whole document) and L and C where that value starts in the text, in document order; an empty list when the document passes. At most 1000 problems are listed, then one entry counting the rest (rule more_problems). Text that is not JSON gives a single entry \"(document): invalid JSON at line L, column C: ... (rule invalid_json)\" rather than an error, so the result can be tested in a precondition or a check block.",
            Type::list(Type::String),
        )
        .markdown("Checks a WhatsApp Flow JSON document against the static rules Meta applies when a flow is published (the same checks the `cams_flow` resource makes at plan time), without calling CAMS.\n\nReturns one string per problem, `POINTER (line L, column C): message (rule ID)`, where `POINTER` is the RFC 6901 JSON pointer of the offending value (`(document)` for the whole document), `L` and `C` where that value starts in the text (the column counts characters), and `ID` the rule's id, in document order; an empty list when the document passes. At most 1000 problems are listed, then one entry counting the rest (rule `more_problems`). `flow_json_problem_details` gives the same as objects.\n\nText that is not JSON gives a single entry `(document): invalid JSON at line L, column C: ... (rule invalid_json)` rather than an error, so the result can be tested in a `precondition` or a `check` block.")
        .parameter(content_parameter())
    }

    async fn call(&self, req: CallRequest) -> CallResponse {
        let problems = problem_lines(content(&req)?);
        Ok(Value::List(
            problems.into_iter().map(Value::String).collect(),
        ))
    }
}

/// Every problem of the document as `POINTER (line L, column C): message
/// (rule ID)`, and a last line counting those beyond the cap (rule
/// `more_problems`); text that is not JSON is one line of rule
/// `invalid_json`, as in `flow_json_problem_details`.
fn problem_lines(text: &str) -> Vec<String> {
    match flow_rules::check_at_most(text, DEFAULT_MAX_PROBLEMS) {
        Ok(Checked { problems, omitted }) => {
            let mut lines: Vec<String> = problems
                .iter()
                .map(|p| format!("{p} (rule {})", p.rule))
                .collect();
            if omitted > 0 {
                lines.push(format!("{} (rule more_problems)", omitted_message(omitted)));
            }
            lines
        }
        Err(syntax) => vec![format!("(document): {syntax} (rule invalid_json)")],
    }
}

fn omitted_message(omitted: usize) -> String {
    format!("(document): {omitted} more problem(s) not listed; fix these first.")
}

/// `provider::cams::flow_json_problem_details(content) -> list(object(...))`.
pub(crate) struct FlowJsonProblemDetails;

model! {
    /// One problem, as `flow_json_problem_details` returns it.
    #[derive(Clone, Debug, PartialEq)]
    struct ProblemDetail {
        rule: String,
        severity: String,
        pointer: String,
        line: i64,
        column: i64,
        message: String,
    }
}

fn problem_object(
    rule: &str,
    severity: &str,
    pointer: &str,
    (line, column): (usize, usize),
    message: String,
) -> Value {
    ProblemDetail {
        rule: rule.to_owned(),
        severity: severity.to_owned(),
        pointer: pointer.to_owned(),
        line: line as i64,
        column: column as i64,
        message,
    }
    .encode()
}

/// Every problem as an object; text that is not JSON is one problem of
/// rule `invalid_json`, and problems beyond the cap one of rule
/// `more_problems`.
fn problem_objects(text: &str) -> Vec<Value> {
    match flow_rules::check_at_most(text, DEFAULT_MAX_PROBLEMS) {
        Ok(Checked { problems, omitted }) => {
            let mut objects: Vec<Value> = problems
                .iter()
                .map(|p: &Problem| {
                    problem_object(
                        p.rule.id(),
                        p.severity().as_str(),
                        &p.pointer,
                        (p.line, p.column),
                        p.message.clone(),
                    )
                })
                .collect();
            if omitted > 0 {
                objects.push(problem_object(
                    "more_problems",
                    "error",
                    "",
                    (1, 1),
                    omitted_message(omitted),
                ));
            }
            objects
        }
        Err(syntax) => vec![problem_object(
            "invalid_json",
            "error",
            "",
            (syntax.line, syntax.column),
            syntax.to_string(),
        )],
    }
}

#[async_trait::async_trait]
impl Function for FlowJsonProblemDetails {
    fn name(&self) -> &'static str {
        "flow_json_problem_details"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition::new(
            "Checks a Flow JSON document offline and lists its problems as objects",
            "The problems flow_json_problems finds, as objects for check blocks and CI: rule (the stable rule id, e.g. \"navigate_unknown_screen\"), severity (\"error\" or \"warning\"), pointer (the RFC 6901 JSON pointer of the offending value, \"\" for the whole document), line and column (1-based, where that value starts in the text; the column counts characters), and message. In document order; an empty list when the document passes. Text that is not JSON gives one object of rule \"invalid_json\" with the position of the error; beyond 1000 problems, one object of rule \"more_problems\" counts the rest.",
            Type::list(ProblemDetail::ty()),
        )
        .markdown("The problems `flow_json_problems` finds, as objects for `check` blocks and CI:\n\n* `rule`: the stable rule id, e.g. `navigate_unknown_screen` (the `cams_flow` page lists them all);\n* `severity`: `error` or `warning`;\n* `pointer`: the RFC 6901 JSON pointer of the offending value, `\"\"` for the whole document;\n* `line`, `column`: where that value starts in the text, 1-based (the column counts characters);\n* `message`: what is wrong, in one sentence.\n\nIn document order; an empty list when the document passes. Text that is not JSON gives one object of rule `invalid_json` with the position of the error; beyond 1000 problems, one object of rule `more_problems` counts the rest.")
        .parameter(content_parameter())
    }

    async fn call(&self, req: CallRequest) -> CallResponse {
        Ok(Value::List(problem_objects(content(&req)?)))
    }
}

/// `provider::cams::flow_json_summary(content) -> object(...)`.
pub(crate) struct FlowJsonSummary;

model! {
    /// What `flow_json_summary` returns.
    #[derive(Clone, Debug, PartialEq)]
    struct SummaryResult {
        version: Option<String>,
        data_api_version: Option<String>,
        screen_ids: Vec<String>,
        terminal_screen_ids: Vec<String>,
    }
}

#[async_trait::async_trait]
impl Function for FlowJsonSummary {
    fn name(&self) -> &'static str {
        "flow_json_summary"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition::new(
            "Reads the versions and screen ids of a Flow JSON document",
            "Reads what a WhatsApp Flow JSON document declares, without calling CAMS or checking Meta's rules (see flow_json_problems for that). Returns an object: version (the Flow JSON version, e.g. \"7.0\"), data_api_version (e.g. \"3.0\"), each null when the document does not set it as a string or a number; screen_ids (the id of every screen, in document order) and terminal_screen_ids (the ids of the screens with \"terminal\": true), each empty when there are none. Text that is not JSON is an error naming the content argument, with the line and column.",
            SummaryResult::ty(),
        )
        .markdown("Reads what a WhatsApp Flow JSON document declares, without calling CAMS or checking Meta's rules (see `flow_json_problems` for that). Returns an object:\n\n* `version`: the Flow JSON version, e.g. `\"7.0\"`;\n* `data_api_version`: e.g. `\"3.0\"`;\n* `screen_ids`: the `id` of every screen, in document order;\n* `terminal_screen_ids`: the ids of the screens with `\"terminal\": true`, in document order.\n\nThe versions are null when the document does not set them as a string or a number; the lists are empty when there are no such screens. Text that is not JSON is an error naming the `content` argument, with the line and column.")
        .parameter(content_parameter())
    }

    async fn call(&self, req: CallRequest) -> CallResponse {
        let text = content(&req)?;
        let summary = summarize(text).map_err(|e| {
            // summarize reads past a byte order mark; so does the position.
            let body = text.strip_prefix('\u{feff}').unwrap_or(text);
            FunctionError::argument(
                0,
                format!(
                    "content is not a Flow JSON document: {}",
                    SyntaxError::new(body, &e)
                ),
            )
        })?;
        Ok(SummaryResult {
            version: summary.version,
            data_api_version: summary.data_api_version,
            screen_ids: summary.screen_ids,
            terminal_screen_ids: summary.terminal_screen_ids,
        }
        .encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, content: &str) -> CallResponse {
        let req = CallRequest {
            arguments: vec![Value::String(content.to_owned())],
            variadic: Vec::new(),
        };
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f.call(req))
    }

    fn list_of(value: &Value) -> Vec<&str> {
        match value {
            Value::List(items) => items.iter().map(|v| v.as_str().unwrap()).collect(),
            other => panic!("not a list: {other:?}"),
        }
    }

    const PASSING: &str = r#"{
        "version": "7.0",
        "data_api_version": "3.0",
        "routing_model": {"WELCOME": ["DONE"], "DONE": []},
        "screens": [
            {"id": "WELCOME", "title": "Welcome", "data": {}, "layout": {"type": "SingleColumnLayout", "children": [
                {"type": "Footer", "label": "Next", "on-click-action": {"name": "navigate", "next": {"type": "screen", "name": "DONE"}, "payload": {}}}
            ]}},
            {"id": "DONE", "title": "Done", "terminal": true, "success": true, "data": {}, "layout": {"type": "SingleColumnLayout", "children": [
                {"type": "Footer", "label": "Finish", "on-click-action": {"name": "complete", "payload": {}}}
            ]}}
        ]
    }"#;

    #[test]
    fn a_passing_document_has_no_problems() {
        // The same document through the engine itself, so this test fails
        // if the fixture stops passing rather than hiding it.
        assert_eq!(flow_rules::check(PASSING).unwrap(), Vec::new());
        let value = call(&FlowJsonProblems, PASSING).unwrap();
        assert_eq!(value, Value::List(Vec::new()));
    }

    #[test]
    fn problems_are_pointer_colon_message_in_engine_order() {
        let broken = PASSING.replace(r#""id": "DONE""#, r#""id": "WELCOME""#);
        let value = call(&FlowJsonProblems, &broken).unwrap();
        let lines = list_of(&value);
        let expected: Vec<String> = flow_rules::check(&broken)
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} (line {}, column {}): {} (rule {})",
                    p.pointer, p.line, p.column, p.message, p.rule
                )
            })
            .collect();
        assert!(!lines.is_empty());
        assert_eq!(lines, expected);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("/screens/1/id (line 9, column 20): ")
                    && l.ends_with("(rule screen_id_duplicate)")),
            "{lines:?}"
        );
    }

    #[test]
    fn text_that_is_not_json_is_one_entry_not_an_error() {
        let value = call(&FlowJsonProblems, "{\n  \"version\": 7.0,\n}").unwrap();
        let lines = list_of(&value);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("(document): invalid JSON at line 3, column 1: "),
            "{lines:?}"
        );
        // Every entry names its rule, as the docs promise.
        assert!(lines[0].ends_with(" (rule invalid_json)"), "{lines:?}");
    }

    #[test]
    fn problem_details_are_objects_with_rule_severity_and_position() {
        let broken = PASSING.replace(r#""id": "DONE""#, r#""id": "WELCOME""#);
        let value = call(&FlowJsonProblemDetails, &broken).unwrap();
        let Value::List(items) = &value else {
            panic!("{value:?}")
        };
        let problems = flow_rules::check(&broken).unwrap();
        assert_eq!(items.len(), problems.len());
        let Value::Object(first) = &items[0] else {
            panic!("{value:?}")
        };
        let want = &problems[0];
        assert_eq!(first["rule"], Value::String(want.rule.id().into()));
        assert_eq!(first["severity"], Value::String("error".into()));
        assert_eq!(first["pointer"], Value::String(want.pointer.clone()));
        assert_eq!(first["line"], Value::Number((want.line as u64).into()));
        assert_eq!(first["column"], Value::Number((want.column as u64).into()));
        assert_eq!(first["message"], Value::String(want.message.clone()));
        let Type::Object(attributes) = ProblemDetail::ty() else {
            unreachable!()
        };
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            attributes.keys().collect::<Vec<_>>()
        );
        assert_eq!(
            call(&FlowJsonProblemDetails, PASSING).unwrap(),
            Value::List(Vec::new())
        );
    }

    #[test]
    fn problem_details_of_text_that_is_not_json_is_one_object() {
        let value = call(&FlowJsonProblemDetails, "{\n  \"version\": 7.0,\n}").unwrap();
        let Value::List(items) = &value else {
            panic!("{value:?}")
        };
        let Value::Object(only) = &items[0] else {
            panic!("{value:?}")
        };
        assert_eq!(items.len(), 1);
        assert_eq!(only["rule"], Value::String("invalid_json".into()));
        assert_eq!(only["line"], Value::Number(3u64.into()));
        assert_eq!(only["column"], Value::Number(1u64.into()));
    }

    /// Issue 16.10: a document with a million bad references is listed
    /// as the first 1000 problems and a count of the rest.
    #[test]
    fn problems_beyond_the_cap_are_counted_not_listed() {
        let references = "${data.nothing} ".repeat(2000);
        let doc = PASSING.replace(
            r#""title": "Welcome""#,
            &format!(r#""title": "{references}""#),
        );
        let lines = problem_lines(&doc);
        assert_eq!(lines.len(), DEFAULT_MAX_PROBLEMS + 1);
        assert!(
            lines
                .last()
                .unwrap()
                .starts_with("(document): 1000 more problem(s)"),
            "{:?}",
            lines.last()
        );
        assert!(
            lines.last().unwrap().ends_with(" (rule more_problems)"),
            "{:?}",
            lines.last()
        );
        let objects = problem_objects(&doc);
        assert_eq!(objects.len(), DEFAULT_MAX_PROBLEMS + 1);
    }

    #[test]
    fn summary_of_a_document() {
        let value = call(&FlowJsonSummary, PASSING).unwrap();
        let Value::Object(fields) = &value else {
            panic!("{value:?}")
        };
        assert_eq!(fields["version"], Value::String("7.0".into()));
        assert_eq!(fields["data_api_version"], Value::String("3.0".into()));
        assert_eq!(list_of(&fields["screen_ids"]), vec!["WELCOME", "DONE"]);
        assert_eq!(list_of(&fields["terminal_screen_ids"]), vec!["DONE"]);
    }

    #[test]
    fn summary_has_nulls_and_empty_lists_where_absent() {
        let value = call(&FlowJsonSummary, "{}").unwrap();
        let Value::Object(fields) = &value else {
            panic!("{value:?}")
        };
        assert_eq!(fields["version"], Value::Null);
        assert_eq!(fields["data_api_version"], Value::Null);
        assert_eq!(fields["screen_ids"], Value::List(Vec::new()));
        assert_eq!(fields["terminal_screen_ids"], Value::List(Vec::new()));
        let names: Vec<&String> = fields.keys().collect();
        let Type::Object(want) = SummaryResult::ty() else {
            unreachable!()
        };
        assert_eq!(names, want.keys().collect::<Vec<_>>(), "matches the type");
    }

    #[test]
    fn summary_of_text_that_is_not_json_is_an_error_on_content() {
        let e = call(&FlowJsonSummary, "{\"version\": }").unwrap_err();
        assert_eq!(e.argument, Some(0));
        assert!(
            e.text.starts_with(
                "content is not a Flow JSON document: invalid JSON at line 1, column 13"
            ),
            "{}",
            e.text
        );
    }

    #[test]
    fn definitions_describe_the_function_and_its_parameter() {
        for f in [
            &FlowJsonProblems as &dyn Function,
            &FlowJsonProblemDetails,
            &FlowJsonSummary,
        ] {
            let d = f.definition();
            assert!(!d.summary.is_empty() && !d.description.is_empty());
            assert!(d.markdown_description.is_some());
            assert_eq!(d.parameters.len(), 1);
            assert_eq!(d.parameters[0].name, "content");
            assert!(!d.parameters[0].allow_null);
            assert!(!d.parameters[0].description.is_empty());
        }
        assert_eq!(
            FlowJsonSummary.definition().return_type,
            SummaryResult::ty()
        );
    }
}
