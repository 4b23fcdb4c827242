//! Real Flow JSON documents written by others, kept in
//! tests/fixtures/flow_json/real with the source of each in SOURCES.tsv.
//! The rules must find exactly the problems recorded as true for them in
//! EXPECTED.tsv (file, rule, pointer; each line checked by hand against
//! Meta's documentation), and nothing else: a false problem would block a
//! flow Meta accepts.

use std::collections::BTreeSet;

use super::{check, Rule, MAX_DOCUMENT_BYTES};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/flow_json/real");

/// Every document of the corpus, by file name.
pub(super) fn documents() -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(REAL)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    found.sort();
    found
}

fn lines_of(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').take(3).collect::<Vec<_>>().join("\t"))
        .collect()
}

#[test]
fn real_documents_show_only_their_recorded_problems() {
    let mut actual = BTreeSet::new();
    let documents = documents();
    for (name, text) in &documents {
        for p in check(text).unwrap() {
            actual.insert(format!("{name}\t{}\t{}", p.rule, p.pointer));
        }
    }
    let expected = lines_of(&std::fs::read_to_string(format!("{REAL}/EXPECTED.tsv")).unwrap());
    let unexpected: Vec<&String> = actual.difference(&expected).collect();
    let missed: Vec<&String> = expected.difference(&actual).collect();
    assert!(
        unexpected.is_empty() && missed.is_empty(),
        "found but not recorded:\n{}\nrecorded but not found:\n{}",
        unexpected
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
        missed.iter().map(|l| format!("{l}\n")).collect::<String>()
    );
}

/// Every document of the corpus is listed with its source, and every
/// source listed is there.
#[test]
fn every_real_document_has_its_source() {
    let sources = std::fs::read_to_string(format!("{REAL}/SOURCES.tsv")).unwrap();
    let listed: BTreeSet<&str> = sources
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    let present: BTreeSet<String> = documents().into_iter().map(|(name, _)| name).collect();
    let present: BTreeSet<&str> = present.iter().map(String::as_str).collect();
    assert_eq!(listed, present);
    for line in sources.lines().filter(|l| !l.starts_with('#')) {
        assert!(
            line.split('\t')
                .nth(1)
                .is_some_and(|u| u.starts_with("https://")),
            "{line}"
        );
    }
}

const PAIRS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flow_json/rules"
);

/// The rules whose broken document is made here rather than kept as a
/// file: a byte order mark, and a document over 10 MiB.
fn pairs_made_in_code() -> Vec<(Rule, &'static str, String, String)> {
    let fixed = std::fs::read_to_string(format!("{PAIRS}/wrong_type.fixed.json")).unwrap();
    let padded = |n: usize| fixed.replacen("\"Hi\"", &format!("\"{}\"", "x".repeat(n)), 1);
    let oversized = padded(MAX_DOCUMENT_BYTES);
    vec![
        (
            Rule::ByteOrderMark,
            "",
            format!("\u{feff}{fixed}"),
            fixed.clone(),
        ),
        (
            Rule::DocumentTooLarge,
            "",
            oversized,
            padded(MAX_DOCUMENT_BYTES - fixed.len() - 2),
        ),
    ]
}

/// Every rule has a pair of documents (tests/fixtures/flow_json/rules,
/// written by make_pairs.py): the broken one shows the rule at its
/// pointer, the fixed twin nothing at all.
#[test]
fn every_rule_has_a_broken_and_a_fixed_document() {
    let expected = std::fs::read_to_string(format!("{PAIRS}/EXPECTED.tsv")).unwrap();
    let mut pairs: Vec<(Rule, String, String, String)> = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let (id, pointer) = line.split_once('\t').unwrap();
            let rule = *Rule::ALL
                .iter()
                .find(|r| r.id() == id)
                .unwrap_or_else(|| panic!("{id}"));
            let read =
                |kind: &str| std::fs::read_to_string(format!("{PAIRS}/{id}.{kind}.json")).unwrap();
            (rule, pointer.to_string(), read("broken"), read("fixed"))
        })
        .collect();
    pairs.extend(
        pairs_made_in_code()
            .into_iter()
            .map(|(rule, pointer, broken, fixed)| (rule, pointer.to_string(), broken, fixed)),
    );
    let mut failures = Vec::new();
    for (rule, pointer, broken, fixed) in &pairs {
        let found = check(broken).unwrap();
        if !found
            .iter()
            .any(|p| p.rule == *rule && p.pointer == *pointer)
        {
            failures.push(format!(
                "{rule}: not found at {pointer:?}; found {:?}",
                found
                    .iter()
                    .map(|p| (p.rule.id(), &p.pointer))
                    .collect::<Vec<_>>()
            ));
        }
        let twin = check(fixed).unwrap();
        if !twin.is_empty() {
            failures.push(format!("{rule}: the fixed twin has {twin:?}"));
        }
    }
    let covered: BTreeSet<Rule> = pairs.iter().map(|(rule, ..)| *rule).collect();
    for &rule in Rule::ALL {
        if !covered.contains(&rule) {
            failures.push(format!("{rule}: no pair"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
