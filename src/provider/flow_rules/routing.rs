//! Rules about `routing_model`: the routes between screens of a flow with
//! an endpoint. Its keys are screen ids, each with the list of screens it
//! may lead to.

use std::collections::{HashMap, HashSet};

use super::document::TopLevel;
use super::json::{Kind, Node};
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
    report_unreachable(&graph, screens, report);
    Some(Routes(routes))
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

/// The entry screen is the first screen no route from another screen leads
/// to (Meta: the entry screen has no inbound route), or the first screen
/// when every screen has one (a loop, reported on its own). Every screen with an id must be
/// reachable from it; with two screens no route leads to, the second is
/// the one reported.
fn report_unreachable(graph: &[Vec<Edge>], screens: &[Screen<'_>], report: &mut Report<'_>) {
    let routable = |i: usize| screens[i].first_with_its_id;
    let mut has_inbound = vec![false; graph.len()];
    // A screen routing to itself is a loop, reported as such; it does not
    // stop the screen from being the entry.
    for (from, edges) in graph.iter().enumerate() {
        for edge in edges.iter().filter(|e| e.to != from) {
            has_inbound[edge.to] = true;
        }
    }
    let Some(entry) = (0..graph.len())
        .filter(|&i| routable(i))
        .find(|&i| !has_inbound[i])
        .or_else(|| (0..graph.len()).find(|&i| routable(i)))
    else {
        return;
    };
    let mut reached = vec![false; graph.len()];
    reached[entry] = true;
    let mut to_visit = vec![entry];
    while let Some(screen) = to_visit.pop() {
        for edge in &graph[screen] {
            if !reached[edge.to] {
                reached[edge.to] = true;
                to_visit.push(edge.to);
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
                    "No route leads to {} from the entry screen {entry_id}.",
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
        // A second screen no route leads to is unreachable.
        set(&mut doc, "/screens/3", screen("ASIDE", json!([])));
        assert_problems(&doc, &[("/screens/3", Rule::ScreenUnreachable)]);
    }

    #[test]
    fn loops_are_reported_at_the_route_that_closes_them() {
        let mut doc = with_data_exchange();
        set(&mut doc, "/routing_model/DONE", json!(["WELCOME"]));
        assert_problems(&doc, &[("/routing_model/DONE/0", Rule::RouteLoop)]);
        let messages = messages(&doc);
        assert!(
            messages[0].contains(r#""WELCOME" → "DETAILS" → "DONE" → "WELCOME""#),
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
