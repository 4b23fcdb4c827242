//! Rules about a screen's components: how many it shows (in all, and of
//! the limited kinds), unique names, and the Footer a terminal screen
//! needs.
//!
//! Components are the screen's `layout.children`; a `Form` has its own
//! `children`, an `If` its `then` and `else` branches, a `Switch` a branch
//! per entry of `cases`. Only one branch of an `If` or a `Switch` is shown
//! at a time, so (a choice, as Meta's table says only "per screen"):
//! * a count is the largest over the branches, not their sum: a Footer in
//!   `then` and another in `else` is one Footer on the screen;
//! * the same name in two branches of one `If`/`Switch` is not a duplicate.

use std::collections::{HashMap, HashSet};

use super::catalogue::Version;
use super::json::{Kind, Node, MAX_DEPTH};
use super::properties::integer;
use super::screens::Screen;
use super::{quoted, report_wrong_type, Report, Rule};

/// The component types a screen may show only a few of, and the rule a
/// screen with more breaks (components page and media upload page).
const LIMITS: [(&str, usize, Rule); 7] = [
    ("Footer", 1, Rule::TooManyComponents),
    ("EmbeddedLink", 2, Rule::TooManyComponents),
    ("Image", 3, Rule::TooManyComponents),
    ("ImageCarousel", 2, Rule::TooManyComponents),
    ("OptIn", 5, Rule::TooManyComponents),
    ("PhotoPicker", 1, Rule::MediaPickerPlacement),
    ("DocumentPicker", 1, Rule::MediaPickerPlacement),
];
const FOOTER: usize = 0;
const PHOTO_PICKER: usize = 5;
const DOCUMENT_PICKER: usize = 6;

/// "The maximum number of components per screen is 50."
const MAX_COMPONENTS: usize = 50;

/// A PhotoPicker or DocumentPicker, for the payload rules.
#[derive(Clone, Debug)]
pub(super) struct Picker {
    pub kind: &'static str,
    /// `max-uploaded-photos` / `-documents` when static (the default is 30).
    pub max_uploaded: Option<i64>,
}

/// What the action rules need to know about a screen's components.
#[derive(Default)]
pub(super) struct Contents {
    /// Every component name on the screen, for `${form.x}`.
    pub names: HashSet<String>,
    /// The media pickers by name.
    pub pickers: HashMap<String, Picker>,
}

/// The components of one part of a screen: those of each limited type (on
/// the branch that has the most), and the names, each once with where it
/// first appears.
#[derive(Default)]
struct Tally<'a> {
    limited: [Vec<Node<'a>>; LIMITS.len()],
    /// Every component shown (on the branches with the most).
    all: Vec<Node<'a>>,
    /// Each name once, where it first appears.
    names: Vec<(String, Node<'a>)>,
    /// The same names, to look them up.
    seen: HashSet<String>,
}

impl<'a> Tally<'a> {
    /// Adds components shown after these: counts add up, and a name seen
    /// before is a duplicate.
    fn then(&mut self, next: Tally<'a>, screen: &Screen<'_>, report: &mut Report<'_>) {
        for (mine, theirs) in self.limited.iter_mut().zip(next.limited) {
            mine.extend(theirs);
        }
        self.all.extend(next.all);
        for (name, node) in next.names {
            if self.seen.contains(&name) {
                report.add(
                    &node,
                    Rule::DuplicateComponentName,
                    format!(
                        "Component name {} is already used on {}.",
                        quoted(&name),
                        screen.name()
                    ),
                );
            } else {
                self.add_name(name, node);
            }
        }
    }

    fn add_name(&mut self, name: String, node: Node<'a>) {
        if self.seen.insert(name.clone()) {
            self.names.push((name, node));
        }
    }

    /// Adds a branch shown instead of the others.
    fn or(&mut self, branch: Tally<'a>) {
        for (mine, theirs) in self.limited.iter_mut().zip(branch.limited) {
            if theirs.len() > mine.len() {
                *mine = theirs;
            }
        }
        if branch.all.len() > self.all.len() {
            self.all = branch.all;
        }
        for (name, node) in branch.names {
            self.add_name(name, node);
        }
    }
}

pub(super) fn check(
    screen: &Screen<'_>,
    _version: Option<Version>,
    report: &mut Report<'_>,
) -> Contents {
    let mut pickers = HashMap::new();
    let tally = screen_components(screen, &mut pickers, report);
    for ((kind, limit, rule), shown) in LIMITS.iter().zip(&tally.limited) {
        if let Some(first_too_many) = shown.get(*limit) {
            report.add(
                first_too_many,
                *rule,
                format!(
                    "{} shows {} {kind} components; a screen may show at most {limit}.",
                    capitalised(&screen.name()),
                    shown.len()
                ),
            );
        }
    }
    if let (Some(photo), Some(document)) = (
        tally.limited[PHOTO_PICKER].first(),
        tally.limited[DOCUMENT_PICKER].first(),
    ) {
        let later = if photo.text().as_ptr() > document.text().as_ptr() {
            photo
        } else {
            document
        };
        report.add(
            later,
            Rule::MediaPickerPlacement,
            format!(
                "{} has both a PhotoPicker and a DocumentPicker; a screen may have only one of the two.",
                capitalised(&screen.name())
            ),
        );
    }
    if let Some(first_too_many) = tally.all.get(MAX_COMPONENTS) {
        report.add(
            first_too_many,
            Rule::TooManyComponents,
            format!(
                "{} has {} components; a screen may have at most {MAX_COMPONENTS}.",
                capitalised(&screen.name()),
                tally.all.len()
            ),
        );
    }
    if screen.terminal && tally.limited[FOOTER].is_empty() {
        report.add(
            screen.object.node(),
            Rule::TerminalScreenWithoutFooter,
            format!(
                "{} is terminal but has no Footer to end the flow with.",
                capitalised(&screen.name())
            ),
        );
    }
    Contents {
        names: tally.seen,
        pickers,
    }
}

fn screen_components<'a>(
    screen: &Screen<'a>,
    pickers: &mut HashMap<String, Picker>,
    report: &mut Report<'_>,
) -> Tally<'a> {
    let Some(layout) = screen.object.get("layout") else {
        return Tally::default();
    };
    let Some(layout) = layout.as_object() else {
        report_wrong_type(report, &layout, "A screen's \"layout\"", Kind::Object);
        return Tally::default();
    };
    match layout.get("children") {
        Some(children) => sequence(&children, screen, pickers, report),
        None => Tally::default(),
    }
}

/// Components shown one after another.
fn sequence<'a>(
    list: &Node<'a>,
    screen: &Screen<'_>,
    pickers: &mut HashMap<String, Picker>,
    report: &mut Report<'_>,
) -> Tally<'a> {
    let mut tally = Tally::default();
    if list.depth() > MAX_DEPTH {
        return tally;
    }
    let Some(items) = list.as_array() else {
        report_wrong_type(report, list, "A list of components", Kind::Array);
        return tally;
    };
    for item in items {
        let next = component(&item, screen, pickers, report);
        tally.then(next, screen, report);
    }
    tally
}

fn component<'a>(
    node: &Node<'a>,
    screen: &Screen<'_>,
    pickers: &mut HashMap<String, Picker>,
    report: &mut Report<'_>,
) -> Tally<'a> {
    let mut tally = Tally::default();
    let Some(object) = node.as_object() else {
        report_wrong_type(report, node, "A component", Kind::Object);
        return tally;
    };
    let kind = object
        .get("type")
        .and_then(|t| t.as_str().map(|s| s.into_owned()));
    let kind = kind.as_deref().unwrap_or_default();
    if let Some(i) = LIMITS.iter().position(|(limited, _, _)| *limited == kind) {
        tally.limited[i].push(node.clone());
    }
    // If, Switch and Form hold components; they are not counted.
    if !matches!(kind, "If" | "Switch" | "Form") {
        tally.all.push(node.clone());
    }
    let max_key = match kind {
        "PhotoPicker" => Some(("PhotoPicker", "max-uploaded-photos")),
        "DocumentPicker" => Some(("DocumentPicker", "max-uploaded-documents")),
        _ => None,
    };
    if let (Some((kind, max_key)), Some(name)) = (
        max_key,
        object
            .get("name")
            .and_then(|n| n.as_str().map(|s| s.into_owned())),
    ) {
        let max_uploaded = object.get(max_key).and_then(|m| integer(&m));
        pickers.insert(name, Picker { kind, max_uploaded });
    }
    // A Form's own name is not a field: `${form.x}` names what it holds.
    if kind != "Form" {
        if let Some(name_node) = object.get("name") {
            if let Some(name) = name_node.as_str() {
                tally.add_name(name.into_owned(), name_node);
            }
        }
    }
    match kind {
        "Form" => {
            if let Some(children) = object.get("children") {
                let inner = sequence(&children, screen, pickers, report);
                tally.then(inner, screen, report);
            }
        }
        "If" => {
            let mut branches = Tally::default();
            for key in ["then", "else"] {
                if let Some(branch) = object.get(key) {
                    branches.or(sequence(&branch, screen, pickers, report));
                }
            }
            tally.then(branches, screen, report);
        }
        "Switch" => {
            let mut branches = Tally::default();
            match object.get("cases").map(|c| (c.as_object(), c)) {
                Some((Some(cases), _)) => {
                    for (_, branch) in cases.iter() {
                        branches.or(sequence(&branch, screen, pickers, report));
                    }
                }
                Some((None, cases)) => {
                    report_wrong_type(report, &cases, "A Switch's \"cases\"", Kind::Object)
                }
                None => {}
            }
            tally.then(branches, screen, report);
        }
        _ => {}
    }
    tally
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::{json, Value};

    const WELCOME: &str = "/screens/0/layout/children";

    fn component(kind: &str, name: &str) -> Value {
        json!({ "type": kind, "name": name, "label": name })
    }

    fn image() -> Value {
        json!({ "type": "Image", "src": "iVBORw0KGgo=" })
    }

    fn link() -> Value {
        json!({ "type": "EmbeddedLink", "text": "Terms", "on-click-action": { "name": "open_url", "url": "https://example.com" } })
    }

    #[test]
    fn a_second_footer_is_reported_where_it_is() {
        let mut doc = good();
        set(
            &mut doc,
            &format!("{WELCOME}/3"),
            footer(navigate("DETAILS")),
        );
        assert_problems(
            &doc,
            &[("/screens/0/layout/children/3", Rule::TooManyComponents)],
        );
    }

    #[test]
    fn limits_of_embedded_links_images_and_opt_ins() {
        type MakeNth = fn(usize) -> Value;
        let cases: [(&str, MakeNth, usize); 3] = [
            ("EmbeddedLink", |_| link(), 2),
            ("Image", |_| image(), 3),
            ("OptIn", |i| component("OptIn", &format!("opt_{i}")), 5),
        ];
        for (kind, make, limit) in cases {
            let mut doc = good();
            for i in 0..limit {
                set(&mut doc, &format!("{WELCOME}/{}", 3 + i), make(i));
            }
            assert_problems(&doc, &[]);
            let extra = format!("{WELCOME}/{}", 3 + limit);
            set(&mut doc, &extra, make(limit));
            assert_problems(&doc, &[(extra.as_str(), Rule::TooManyComponents)]);
            assert!(messages(&doc)[0].contains(kind));
        }
    }

    #[test]
    fn components_inside_a_form_count_with_the_screen() {
        // DETAILS has its Footer inside the Form; one more outside is two.
        let mut doc = good();
        set(
            &mut doc,
            "/screens/1/layout/children/2",
            footer(navigate("DONE")),
        );
        assert_problems(
            &doc,
            &[("/screens/1/layout/children/2", Rule::TooManyComponents)],
        );
    }

    #[test]
    fn one_footer_per_if_branch_is_one_footer() {
        let mut doc = good();
        let only_footer = doc.pointer("/screens/0/layout/children/2").unwrap().clone();
        set(
            &mut doc,
            "/screens/0/layout/children/2",
            json!({ "type": "If", "condition": "${form.name} == 'x'", "then": [only_footer.clone()], "else": [only_footer] }),
        );
        assert_problems(&doc, &[]);
        // A Footer next to the If makes two on the screen whichever branch shows.
        set(
            &mut doc,
            &format!("{WELCOME}/3"),
            footer(navigate("DETAILS")),
        );
        assert_problems(
            &doc,
            &[("/screens/0/layout/children/3", Rule::TooManyComponents)],
        );
    }

    #[test]
    fn switch_cases_are_branches_too() {
        let mut doc = good();
        let images = |n: usize| Value::Array((0..n).map(|_| image()).collect());
        set(
            &mut doc,
            &format!("{WELCOME}/3"),
            json!({ "type": "Switch", "value": "${form.name}", "cases": { "a": images(3), "b": images(2) } }),
        );
        assert_problems(&doc, &[]);
        set(&mut doc, &format!("{WELCOME}/3/cases/b/2"), image());
        set(&mut doc, &format!("{WELCOME}/3/cases/b/3"), image());
        assert_problems(
            &doc,
            &[(
                "/screens/0/layout/children/3/cases/b/3",
                Rule::TooManyComponents,
            )],
        );
    }

    #[test]
    fn a_terminal_screen_needs_a_footer() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/2/layout/children",
            json!([{ "type": "TextBody", "text": "Thanks" }]),
        );
        assert_problems(&doc, &[("/screens/2", Rule::TerminalScreenWithoutFooter)]);
        remove(&mut doc, "/screens/2/layout");
        assert_problems(
            &doc,
            &[
                ("/screens/2", Rule::TerminalScreenWithoutFooter),
                ("/screens/2", Rule::MissingRequiredProperty),
            ],
        );
    }

    /// Meta: "If there is a Footer within If, it should exist in both
    /// branches"; a terminal screen's Footer in `then` alone is not one on
    /// every path.
    #[test]
    fn a_footer_in_one_if_branch_is_not_a_footer_on_every_path() {
        let mut doc = good();
        let only_footer = doc.pointer("/screens/2/layout/children/0").unwrap().clone();
        let if_at = "/screens/2/layout/children/0";
        set(
            &mut doc,
            if_at,
            json!({ "type": "If", "condition": "${data.name} != ''", "then": [only_footer.clone()] }),
        );
        assert_problems(&doc, &[(if_at, Rule::FooterNotInEveryBranch)]);
        set(
            &mut doc,
            &format!("{if_at}/else"),
            json!([{ "type": "TextBody", "text": "No footer" }]),
        );
        assert_problems(&doc, &[(if_at, Rule::FooterNotInEveryBranch)]);
        set(&mut doc, &format!("{if_at}/else"), json!([only_footer]));
        assert_problems(&doc, &[]);
    }

    #[test]
    fn names_are_unique_on_a_screen_including_inside_forms() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/1/layout/children/2",
            component("TextBody", "terms"),
        );
        assert_problems(
            &doc,
            &[
                (
                    "/screens/1/layout/children/2/name",
                    Rule::DuplicateComponentName,
                ),
                // A TextBody has no name (nor label) in Meta's schema.
                ("/screens/1/layout/children/2/name", Rule::UnknownProperty),
                ("/screens/1/layout/children/2/label", Rule::UnknownProperty),
                (
                    "/screens/1/layout/children/2",
                    Rule::MissingRequiredProperty,
                ),
            ],
        );
    }

    #[test]
    fn the_same_name_on_two_screens_is_fine() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/1/layout/children/1/children/2",
            component("TextInput", "name"),
        );
        assert_problems(&doc, &[]);
    }

    #[test]
    fn the_same_name_in_two_branches_is_fine_but_not_after_them() {
        let mut doc = good();
        let branch = json!([component("TextInput", "city")]);
        set(
            &mut doc,
            &format!("{WELCOME}/3"),
            json!({ "type": "If", "condition": "${form.name} != ''", "then": branch, "else": branch }),
        );
        assert_problems(&doc, &[]);
        set(
            &mut doc,
            &format!("{WELCOME}/4"),
            component("TextInput", "city"),
        );
        assert_problems(
            &doc,
            &[(
                "/screens/0/layout/children/4/name",
                Rule::DuplicateComponentName,
            )],
        );
        set(
            &mut doc,
            &format!("{WELCOME}/3/then/1"),
            component("TextArea", "city"),
        );
        assert_problems(
            &doc,
            &[
                (
                    "/screens/0/layout/children/3/then/1/name",
                    Rule::DuplicateComponentName,
                ),
                (
                    "/screens/0/layout/children/4/name",
                    Rule::DuplicateComponentName,
                ),
            ],
        );
    }

    #[test]
    fn a_forms_own_name_is_not_a_component_name() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/1/layout/children/1/name",
            json!("terms"),
        );
        assert_problems(&doc, &[]);
    }

    #[test]
    fn ill_typed_layouts_and_components() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/0/layout/children/0",
            json!("TextHeading"),
        );
        set(&mut doc, "/screens/1/layout/children/1/children", json!({}));
        set(&mut doc, "/screens/2/layout", json!([]));
        assert_problems(
            &doc,
            &[
                ("/screens/0/layout/children/0", Rule::WrongType),
                ("/screens/1/layout/children/1/children", Rule::WrongType),
                ("/screens/2/layout", Rule::WrongType),
                ("/screens/2", Rule::TerminalScreenWithoutFooter),
                // DETAILS' navigate action went with its Form's children.
                ("/screens/2", Rule::ScreenUnreachable),
            ],
        );
    }
}
