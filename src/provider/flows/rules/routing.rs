//! Rules about `routing_model`: the routes between screens of a flow with
//! an endpoint. Its keys are screen ids, each with the list of screens it
//! may lead to.

use std::collections::{HashMap, HashSet};

use super::document::TopLevel;
use super::json::{Kind, Node, MAX_DEPTH};
use super::screens::Screen;
use super::{quoted, report_wrong_type, Report, Rule};

const MAX_BRANCHES: usize = 10;

/// The routes a routing model allows, by screen id, for the `navigate`
/// rule. Only routes between existing screens are kept.
pub(super) struct Routes(HashMap<String, HashSet<String>>);

impl Routes {
    pub(super) fn allows(&self, from: &str, to: &str) -> bool {
        self.0.get(from).is_some_and(|targets| targets.contains(to))
    }
}

/// A route between two existing screens (indexes into the screen list),
/// with the target's node to report a loop at.
struct Edge<'a> {
    to: usize,
    at: Node<'a>,
}

/// Checks the routing model; `None` when there is none (or it is not an
/// object), and then no routing rule applies: Meta infers the routes of a
/// flow without an endpoint from its `navigate` actions.
pub(super) fn check(
    top: &TopLevel<'_>,
    screens: &[Screen<'_>],
    report: &mut Report<'_>,
) -> Option<Routes> {
    let node = top.object.get("routing_model")?;
    let Some(model) = node.as_object() else {
        report_wrong_type(report, &node, "\"routing_model\"", Kind::Object);
        return None;
    };
    // Routes lead to the first screen with an id; later duplicates are
    // reported by the screen rules.
    let index_of: HashMap<&str, usize> = screens
        .iter()
        .enumerate()
        .filter(|(_, s)| s.first_with_its_id)
        .filter_map(|(i, s)| Some((s.id.as_deref()?, i)))
        .collect();
    let mut graph: Vec<Vec<Edge>> = screens.iter().map(|_| Vec::new()).collect();
    let mut routes = HashMap::new();
    for (key, value) in model.iter() {
        let from = index_of.get(key).copied();
        if from.is_none() {
            report.add(
                &value,
                Rule::RouteUnknownScreen,
                format!(
                    "The routing model has routes from {}, which is not a screen id.",
                    quoted(key)
                ),
            );
        }
        let Some(targets) = value.as_array() else {
            report_wrong_type(report, &value, "A routing model entry", Kind::Array);
            continue;
        };
        if targets.len() > MAX_BRANCHES {
            report.add(
                &value,
                Rule::TooManyBranches,
                format!(
                    "Screen {} has {} routes; a screen may lead to at most {MAX_BRANCHES}.",
                    quoted(key),
                    targets.len()
                ),
            );
        }
        let mut allowed = HashSet::new();
        for target in targets {
            let Some(name) = target.as_str() else {
                report_wrong_type(report, &target, "A route's target", Kind::String);
                continue;
            };
            let Some(&to) = index_of.get(&*name) else {
                report.add(
                    &target,
                    Rule::RouteUnknownScreen,
                    format!(
                        "The route from {} leads to {}, which is not a screen id.",
                        quoted(key),
                        quoted(&name)
                    ),
                );
                continue;
            };
            allowed.insert(name.into_owned());
            if let Some(from) = from {
                graph[from].push(Edge { to, at: target });
            }
        }
        if from.is_some() {
            routes.insert(key.to_string(), allowed);
        }
    }
    report_loops(&graph, screens, report);
    let next: Vec<Vec<usize>> = graph
        .iter()
        .map(|edges| edges.iter().map(|e| e.to).collect())
        .collect();
    let listed = report_unlisted(&model, screens, &graph, report);
    report_unreachable(&next, screens, &listed, &node, "route", report);
    Some(Routes(routes))
}

/// With a routing model: every screen is in it (a key or a target: Meta's
/// own templates leave a last screen out of the keys). Returns which
/// screens are in it.
fn report_unlisted(
    model: &super::json::Object<'_>,
    screens: &[Screen<'_>],
    graph: &[Vec<Edge>],
    report: &mut Report<'_>,
) -> Vec<bool> {
    let mut listed: Vec<bool> = screens
        .iter()
        .map(|s| s.id.as_deref().is_some_and(|id| model.contains(id)))
        .collect();
    for edges in graph {
        for edge in edges {
            listed[edge.to] = true;
        }
    }
    // An empty model lists nothing and is read as "no routes" (Meta's
    // single-screen examples have one).
    if model.keys().next().is_none() {
        return vec![true; screens.len()];
    }
    for (screen, listed) in screens.iter().zip(&listed) {
        if screen.first_with_its_id && screen.id.is_some() && !listed {
            report.add(
                screen.object.node(),
                Rule::ScreenNotInRoutingModel,
                format!(
                    "{} is missing from the routing model; list it with the screens it leads to (or []), and as a target of the screens that lead to it.",
                    capitalised(&screen.name())
                ),
            );
        }
    }
    listed
}

/// Without a routing model Meta builds one from the `navigate` actions:
/// an entry screen no action leads to, every screen reachable from it, at
/// most 10 targets per screen.
pub(super) fn check_navigation(
    top: &TopLevel<'_>,
    screens: &[Screen<'_>],
    report: &mut Report<'_>,
) {
    let Some(list) = top.object.get("screens") else {
        return;
    };
    let index_of: HashMap<&str, usize> = screens
        .iter()
        .enumerate()
        .filter(|(_, s)| s.first_with_its_id)
        .filter_map(|(i, s)| Some((s.id.as_deref()?, i)))
        .collect();
    let mut next = vec![Vec::new(); screens.len()];
    // A navigate action to a screen that is not there (or to its own) is
    // reported as such; the graph it breaks is not judged as well.
    let mut broken = false;
    for (from, screen) in screens.iter().enumerate() {
        let mut ways = Ways::default();
        for (key, value) in screen.object.iter() {
            if key != "data" {
                ways.collect(&value);
            }
        }
        broken |= ways
            .targets
            .iter()
            .any(|t| index_of.get(t.as_str()).is_none_or(|&to| to == from));
        let mut targets: Vec<usize> = ways
            .targets
            .iter()
            .filter_map(|t| index_of.get(t.as_str()).copied())
            .filter(|&to| to != from)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.len() > MAX_BRANCHES {
            report.add(
                screen.object.node(),
                Rule::TooManyBranches,
                format!(
                    "{} navigates to {} screens; a screen may lead to at most {MAX_BRANCHES}.",
                    capitalised(&screen.name()),
                    targets.len()
                ),
            );
        }
        next[from] = targets;
    }
    // Screens without an id of their own cannot be routed to; the screen
    // rules report them, and the graph is not judged.
    if broken || screens.iter().any(|s| !s.first_with_its_id) {
        return;
    }
    let listed = vec![true; screens.len()];
    report_unreachable(&next, screens, &listed, &list, "navigate action", report);
}

/// The targets of a screen's `navigate` actions.
#[derive(Default)]
struct Ways {
    targets: Vec<String>,
}

impl Ways {
    fn collect(&mut self, node: &Node<'_>) {
        if node.depth() > MAX_DEPTH {
            return;
        }
        match node.kind() {
            Kind::Array => {
                for item in node.as_array().unwrap_or_default() {
                    self.collect(&item);
                }
            }
            Kind::Object => {
                let Some(object) = node.as_object() else {
                    return;
                };
                match object
                    .get("name")
                    .and_then(|n| n.as_str().map(|s| s.into_owned()))
                {
                    Some(name) if name == "navigate" => {
                        let target = object
                            .get("next")
                            .and_then(|n| n.as_object())
                            .and_then(|n| n.get("name"))
                            .and_then(|n| n.as_str().map(|s| s.into_owned()));
                        if let Some(target) = target {
                            self.targets.push(target);
                        }
                    }
                    _ => {}
                }
                for (_, value) in object.iter() {
                    self.collect(&value);
                }
            }
            _ => {}
        }
    }
}

fn capitalised(text: &str) -> String {
    super::properties::capitalised(text)
}

/// Reports each route that closes a loop (a back edge of a depth-first
/// search), which covers Meta's "no loops" and "no backward routes". The
/// search is iterative: a document may hold thousands of screens.
fn report_loops(graph: &[Vec<Edge>], screens: &[Screen<'_>], report: &mut Report<'_>) {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; graph.len()];
    for start in 0..graph.len() {
        if state[start] != State::New {
            continue;
        }
        // The current path: each screen with the next of its edges to follow.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = State::OnPath;
        while let Some(&(screen, next_edge)) = path.last() {
            let Some(edge) = graph[screen].get(next_edge) else {
                state[screen] = State::Done;
                path.pop();
                continue;
            };
            let top = path.len() - 1;
            path[top].1 += 1;
            match state[edge.to] {
                State::New => {
                    state[edge.to] = State::OnPath;
                    path.push((edge.to, 0));
                }
                State::OnPath => {
                    let from_loop_start = path.iter().skip_while(|(s, _)| *s != edge.to);
                    let names: Vec<String> = from_loop_start
                        .map(|(s, _)| screen_id(&screens[*s]))
                        .chain([screen_id(&screens[edge.to])])
                        .collect();
                    report.add(
                        &edge.at,
                        Rule::RouteLoop,
                        format!(
                            "This route makes a loop ({}); routes may only lead forward.",
                            names.join(" → ")
                        ),
                    );
                }
                State::Done => {}
            }
        }
    }
}

/// The entry screen is the first screen nothing leads to (Meta: the entry
/// screen has no inbound route), or, when every screen has one (reported
/// as no entry), the first screen. Every screen with an id must be
/// reachable from it; with two screens nothing leads to, the second is the
/// one reported. `via` names the links in messages ("route").
fn report_unreachable(
    next: &[Vec<usize>],
    screens: &[Screen<'_>],
    listed: &[bool],
    no_entry_at: &Node<'_>,
    via: &str,
    report: &mut Report<'_>,
) {
    let routable = |i: usize| screens[i].first_with_its_id && listed[i];
    let mut has_inbound = vec![false; next.len()];
    // A screen leading to itself is reported as such; it does not stop
    // the screen from being the entry.
    for (from, targets) in next.iter().enumerate() {
        for &to in targets.iter().filter(|&&to| to != from) {
            has_inbound[to] = true;
        }
    }
    let entry = (0..next.len())
        .filter(|&i| routable(i))
        .find(|&i| !has_inbound[i]);
    if entry.is_none() && (0..next.len()).any(routable) {
        report.add(
            no_entry_at,
            Rule::NoEntryScreen,
            format!("Every screen has a {via} leading to it, so none can be the entry screen."),
        );
    }
    let Some(entry) = entry.or_else(|| (0..next.len()).find(|&i| routable(i))) else {
        return;
    };
    let mut reached = vec![false; next.len()];
    reached[entry] = true;
    let mut to_visit = vec![entry];
    while let Some(screen) = to_visit.pop() {
        for &to in &next[screen] {
            if !reached[to] {
                reached[to] = true;
                to_visit.push(to);
            }
        }
    }
    let entry_id = screen_id(&screens[entry]);
    for (i, screen) in screens.iter().enumerate() {
        if routable(i) && !reached[i] {
            report.add(
                screen.object.node(),
                Rule::ScreenUnreachable,
                format!(
                    "No {via} leads to {} from the entry screen {entry_id}.",
                    screen.name()
                ),
            );
        }
    }
}

fn screen_id(screen: &Screen<'_>) -> String {
    screen.id.as_deref().map(quoted).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::json;

    const ROUTING: &str = "/routing_model";

    #[test]
    fn a_valid_routing_model_passes() {
        assert_problems(&with_data_exchange(), &[]);
    }

    #[test]
    fn keys_must_be_screens() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/GOODBYE", json!([]));
        assert_problems(
            &doc,
            &[("/routing_model/GOODBYE", Rule::RouteUnknownScreen)],
        );
    }

    #[test]
    fn targets_must_be_screens() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/DETAILS/1", json!("ELSEWHERE"));
        assert_problems(
            &doc,
            &[("/routing_model/DETAILS/1", Rule::RouteUnknownScreen)],
        );
    }

    #[test]
    fn entries_and_targets_of_the_wrong_type() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/DONE", json!("WELCOME"));
        set(&mut doc, "/routing_model/DETAILS/1", json!(3));
        assert_problems(
            &doc,
            &[
                ("/routing_model/DONE", Rule::WrongType),
                ("/routing_model/DETAILS/1", Rule::WrongType),
            ],
        );
        set(&mut doc, ROUTING, json!(["WELCOME"]));
        assert_problems(&doc, &[(ROUTING, Rule::WrongType)]);
    }

    #[test]
    fn every_screen_is_reachable_from_the_entry_screen() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/WELCOME", json!(["DONE"]));
        // WELCOME still navigates to DETAILS, now outside the model.
        assert_problems(
            &doc,
            &[
                ("/screens/1", Rule::ScreenUnreachable),
                (
                    "/screens/0/layout/children/2/on-click-action/next/name",
                    Rule::NavigateNotInRoutingModel,
                ),
            ],
        );
    }

    #[test]
    fn the_entry_screen_is_the_first_one_no_route_leads_to() {
        // DETAILS is listed first but WELCOME → DETAILS makes WELCOME the entry.
        let mut doc = with_data_exchange();
        let details = doc.pointer("/screens/1").unwrap().clone();
        remove(&mut doc, "/screens/1");
        set(&mut doc, "/screens/0", details);
        let welcome = screen("WELCOME", json!([footer(navigate("DETAILS"))]));
        let done = doc.pointer("/screens/1").unwrap().clone();
        set(&mut doc, "/screens/1", welcome);
        set(&mut doc, "/screens/2", done);
        assert_problems(&doc, &[]);
        // A screen the routing model does not have is reported as such…
        set(&mut doc, "/screens/3", screen("ASIDE", json!([])));
        assert_problems(&doc, &[("/screens/3", Rule::ScreenNotInRoutingModel)]);
        // …and a second screen no route leads to is unreachable.
        set(&mut doc, "/routing_model/ASIDE", json!([]));
        assert_problems(&doc, &[("/screens/3", Rule::ScreenUnreachable)]);
    }

    #[test]
    fn loops_are_reported_at_the_route_that_closes_them() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/DONE", json!(["WELCOME"]));
        assert_problems(
            &doc,
            &[
                ("/routing_model/DONE/0", Rule::RouteLoop),
                // WELCOME has a route leading to it now.
                ("/routing_model", Rule::NoEntryScreen),
            ],
        );
        let messages = messages(&doc);
        assert!(
            messages[1].contains(r#""WELCOME" → "DETAILS" → "DONE" → "WELCOME""#),
            "{messages:?}"
        );
    }

    #[test]
    fn a_screen_routing_to_itself_is_a_loop() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/DONE", json!(["DONE"]));
        assert_problems(&doc, &[("/routing_model/DONE/0", Rule::RouteLoop)]);
    }

    #[test]
    fn an_entry_screen_routing_to_itself_stays_the_entry() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/WELCOME/1", json!("WELCOME"));
        assert_problems(&doc, &[("/routing_model/WELCOME/1", Rule::RouteLoop)]);
    }

    #[test]
    fn a_shortcut_forward_is_not_a_loop() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/WELCOME/1", json!("DONE"));
        assert_problems(&doc, &[]);
    }

    #[test]
    fn at_most_10_branches_per_screen() {
        let mut doc = with_data_exchange();
        let mut targets = vec![json!("DETAILS")];
        for i in 0..9 {
            let id = format!("BRANCH_{i}");
            set(
                &mut doc,
                &format!("/screens/{}", i + 3),
                screen(&id, json!([])),
            );
            set(&mut doc, &format!("/routing_model/{id}"), json!([]));
            targets.push(json!(id));
        }
        set(&mut doc, "/routing_model/WELCOME", json!(targets.clone()));
        assert_problems(&doc, &[]);
        set(&mut doc, "/screens/12", screen("BRANCH_9", json!([])));
        targets.push(json!("BRANCH_9"));
        set(&mut doc, "/routing_model/WELCOME", json!(targets));
        assert_problems(&doc, &[("/routing_model/WELCOME", Rule::TooManyBranches)]);
    }

    #[test]
    fn routes_lead_to_the_first_of_duplicate_screens() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/screens/3", screen("DONE", json!([])));
        assert_problems(&doc, &[("/screens/3/id", Rule::ScreenIdDuplicate)]);
    }
}
