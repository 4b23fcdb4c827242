//! The message templates the emulator keeps, per space, keyed by name and
//! language, with Meta's review and the 30-day block of a deleted name.
//!
//! Review: a template is `auditing` after create and after modify; it is
//! decided (`pass`, or `fail` with a `Reason`) when [`Review::delay`] has
//! passed since it was submitted (checked whenever templates are read or
//! changed, so no timer runs), or at once through the admin endpoint.
//! Modify is allowed only on `fail` and `unaudit` templates: the SDK says
//! ModifyChatappTemplate is for templates that are not approved, and Meta
//! does not let a template under review be edited. Refusing an approved
//! template (which Meta itself allows, a few times a month) is an
//! **assumption** for CAMS. Every rule that is an assumption is listed in
//! the emulator's README.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How long Meta blocks the name of a deleted template.
pub const NAME_BLOCKED_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// Where a template stands in Meta's review (CAMS's `AuditStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditStatus {
    Auditing,
    Pass,
    Fail,
    Unaudit,
}

impl AuditStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Auditing => "auditing",
            AuditStatus::Pass => "pass",
            AuditStatus::Fail => "fail",
            AuditStatus::Unaudit => "unaudit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            AuditStatus::Auditing,
            AuditStatus::Pass,
            AuditStatus::Fail,
            AuditStatus::Unaudit,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether ModifyChatappTemplate may change a template in this status.
    pub fn allows_modify(self) -> bool {
        matches!(self, AuditStatus::Fail | AuditStatus::Unaudit)
    }
}

/// How the emulator's "Meta" reviews templates (`--template-review`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The time from submission to verdict; `None`: only the admin
    /// endpoint decides.
    pub delay: Option<Duration>,
    /// The verdict after the delay: `pass`, or `fail` with this reason.
    pub fail_reason: Option<String>,
}

impl Default for Review {
    /// Approves every template 5 seconds after it was submitted.
    fn default() -> Self {
        Review {
            delay: Some(Duration::from_secs(5)),
            fail_reason: None,
        }
    }
}

impl std::str::FromStr for Review {
    type Err = String;

    /// `pass:SECS`, `fail:SECS[:REASON]` or `manual`.
    fn from_str(text: &str) -> Result<Self, String> {
        if text == "manual" {
            return Ok(Review {
                delay: None,
                fail_reason: None,
            });
        }
        let mut parts = text.splitn(3, ':');
        let verdict = parts.next().unwrap_or_default();
        let seconds = parts.next().and_then(|s| s.parse::<u64>().ok());
        let reason = parts.next();
        let delay = seconds.map(Duration::from_secs).ok_or_else(|| {
            "expected pass:SECS, fail:SECS[:REASON] or manual (SECS a whole number)".to_string()
        })?;
        match (verdict, reason) {
            ("pass", None) => Ok(Review {
                delay: Some(delay),
                fail_reason: None,
            }),
            ("fail", reason) => Ok(Review {
                delay: Some(delay),
                fail_reason: Some(
                    reason
                        .filter(|r| !r.is_empty())
                        .unwrap_or("INVALID_FORMAT")
                        .to_string(),
                ),
            }),
            _ => Err("expected pass:SECS, fail:SECS[:REASON] or manual".to_string()),
        }
    }
}

/// One template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub code: String,
    #[serde(default)]
    pub cust_space_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    /// `Components` as it was sent (a JSON list), returned as is.
    pub components: Value,
    #[serde(default)]
    pub example: BTreeMap<String, String>,
    #[serde(default)]
    pub message_send_ttl_seconds: Option<i64>,
    #[serde(default)]
    pub category_change_paused: Option<bool>,
    pub audit_status: AuditStatus,
    #[serde(default)]
    pub reason: Option<String>,
    /// `UNKNOWN` until approved, then `GREEN` (or what the admin set).
    pub quality_score: String,
    /// When it was last submitted for review (Unix milliseconds).
    pub submitted_at_ms: i64,
}

impl Template {
    fn is(&self, space: &str, name: &str, language: &str) -> bool {
        self.cust_space_id == space && self.name == name && self.language == language
    }
}

/// A name deleted in a space, blocked until `until_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedName {
    pub cust_space_id: String,
    pub name: String,
    pub deleted_at_ms: i64,
    pub until_ms: i64,
}

/// A verdict set through the admin endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: AuditStatus,
    pub reason: Option<String>,
    pub quality_score: Option<String>,
}

/// Every template and blocked name, as kept in the state file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateStore {
    /// By template code.
    #[serde(default)]
    pub templates: BTreeMap<String, Template>,
    #[serde(default)]
    pub blocked_names: Vec<BlockedName>,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl TemplateStore {
    /// Decides every template whose review delay has passed. Returns
    /// whether anything changed (to save the state).
    pub fn settle(&mut self, review: &Review, now_ms: i64) -> bool {
        let Some(delay) = review.delay else {
            return false;
        };
        let mut changed = false;
        for template in self.templates.values_mut() {
            let due = template.submitted_at_ms.saturating_add(millis(delay)) <= now_ms;
            if template.audit_status == AuditStatus::Auditing && due {
                match &review.fail_reason {
                    Some(reason) => {
                        template.audit_status = AuditStatus::Fail;
                        template.reason = Some(reason.clone());
                    }
                    None => {
                        template.audit_status = AuditStatus::Pass;
                        template.reason = None;
                        template.quality_score = "GREEN".to_string();
                    }
                }
                changed = true;
            }
        }
        changed
    }

    /// The block on `name` in `space`, if one is still running.
    pub fn blocked(&self, space: &str, name: &str, now_ms: i64) -> Option<&BlockedName> {
        self.blocked_names
            .iter()
            .find(|b| b.cust_space_id == space && b.name == name && b.until_ms > now_ms)
    }

    pub fn find(&self, space: &str, name: &str, language: &str) -> Option<&Template> {
        self.templates
            .values()
            .find(|t| t.is(space, name, language))
    }

    /// The code of the template a request names: by code (and language,
    /// when given) or by name and language, in `space`.
    pub fn lookup(
        &self,
        space: &str,
        code: Option<&str>,
        name: Option<&str>,
        language: Option<&str>,
    ) -> Option<String> {
        self.templates
            .values()
            .find(|t| {
                t.cust_space_id == space
                    && code.is_none_or(|c| t.code == c)
                    && name.is_none_or(|n| t.name == n)
                    && language.is_none_or(|l| t.language == l)
                    && (code.is_some() || name.is_some())
            })
            .map(|t| t.code.clone())
    }

    pub fn insert(&mut self, template: Template) {
        self.templates.insert(template.code.clone(), template);
    }

    /// Deletes the template and blocks its name in its space.
    pub fn delete(&mut self, code: &str, now_ms: i64) -> Option<Template> {
        let template = self.templates.remove(code)?;
        self.blocked_names.retain(|b| {
            b.until_ms > now_ms
                && !(b.cust_space_id == template.cust_space_id && b.name == template.name)
        });
        self.blocked_names.push(BlockedName {
            cust_space_id: template.cust_space_id.clone(),
            name: template.name.clone(),
            deleted_at_ms: now_ms,
            until_ms: now_ms.saturating_add(millis(NAME_BLOCKED_FOR)),
        });
        Some(template)
    }

    /// Sets the review verdict of one template (the admin endpoint).
    pub fn decide(&mut self, code: &str, decision: Decision) -> Option<&Template> {
        let template = self.templates.get_mut(code)?;
        template.audit_status = decision.status;
        template.reason = match decision.status {
            AuditStatus::Fail | AuditStatus::Unaudit => decision.reason,
            AuditStatus::Auditing | AuditStatus::Pass => None,
        };
        if let Some(score) = decision.quality_score {
            template.quality_score = score;
        } else if decision.status == AuditStatus::Pass && template.quality_score == "UNKNOWN" {
            template.quality_score = "GREEN".to_string();
        }
        Some(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(code: &str, status: AuditStatus, submitted_at_ms: i64) -> Template {
        Template {
            code: code.into(),
            cust_space_id: "s".into(),
            name: "n".into(),
            language: code.into(),
            category: "UTILITY".into(),
            components: Value::Array(Vec::new()),
            example: BTreeMap::new(),
            message_send_ttl_seconds: None,
            category_change_paused: None,
            audit_status: status,
            reason: None,
            quality_score: "UNKNOWN".into(),
            submitted_at_ms,
        }
    }

    #[test]
    fn reviews_settle_after_their_delay_only() {
        let mut store = TemplateStore::default();
        store.insert(template("en", AuditStatus::Auditing, 1_000));
        store.insert(template("fr", AuditStatus::Auditing, 5_000));
        let review = Review {
            delay: Some(Duration::from_secs(2)),
            fail_reason: None,
        };
        assert!(store.settle(&review, 3_000));
        assert_eq!(store.templates["en"].audit_status, AuditStatus::Pass);
        assert_eq!(store.templates["en"].quality_score, "GREEN");
        assert_eq!(store.templates["fr"].audit_status, AuditStatus::Auditing);
        let failing = Review {
            delay: Some(Duration::ZERO),
            fail_reason: Some("INVALID_FORMAT".into()),
        };
        assert!(
            !store.settle(&failing, 4_999),
            "not before it was submitted"
        );
        assert!(store.settle(&failing, 5_000));
        assert_eq!(store.templates["fr"].audit_status, AuditStatus::Fail);
        assert_eq!(
            store.templates["fr"].reason.as_deref(),
            Some("INVALID_FORMAT")
        );
        assert!(!store.settle(&failing, 9_000), "decided ones stay");
        let manual = Review {
            delay: None,
            fail_reason: None,
        };
        store.insert(template("de", AuditStatus::Auditing, 0));
        assert!(!store.settle(&manual, i64::MAX));
    }

    #[test]
    fn review_specs_parse() {
        assert_eq!(
            "pass:0".parse::<Review>().unwrap().delay,
            Some(Duration::ZERO)
        );
        let fail: Review = "fail:3:TAG_CONTENT_MISMATCH: wrong".parse().unwrap();
        assert_eq!(fail.delay, Some(Duration::from_secs(3)));
        assert_eq!(
            fail.fail_reason.as_deref(),
            Some("TAG_CONTENT_MISMATCH: wrong")
        );
        assert_eq!(
            "fail:1".parse::<Review>().unwrap().fail_reason.as_deref(),
            Some("INVALID_FORMAT")
        );
        assert_eq!("manual".parse::<Review>().unwrap().delay, None);
        for bad in ["pass", "pass:x", "pass:1:why", "maybe:1", ""] {
            assert!(bad.parse::<Review>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_deleted_name_is_blocked_for_thirty_days_in_its_space() {
        let mut store = TemplateStore::default();
        store.insert(template("en", AuditStatus::Pass, 0));
        assert_eq!(
            store.lookup("s", None, Some("n"), Some("en")),
            Some("en".into())
        );
        assert_eq!(store.lookup("other", None, Some("n"), Some("en")), None);
        assert!(store.delete("en", 1_000).is_some());
        let day = 24 * 3600 * 1000;
        assert!(store.blocked("s", "n", 1_000 + 29 * day).is_some());
        assert!(store.blocked("s", "n", 1_000 + 30 * day).is_none());
        assert!(store.blocked("other", "n", 2_000).is_none());
        assert!(store.delete("en", 2_000).is_none());
    }

    #[test]
    fn only_rejected_or_suspended_templates_may_be_modified() {
        let allowed: Vec<_> = [
            AuditStatus::Auditing,
            AuditStatus::Pass,
            AuditStatus::Fail,
            AuditStatus::Unaudit,
        ]
        .into_iter()
        .filter(|s| s.allows_modify())
        .collect();
        assert_eq!(allowed, vec![AuditStatus::Fail, AuditStatus::Unaudit]);
        assert_eq!(AuditStatus::parse("pass"), Some(AuditStatus::Pass));
        assert_eq!(AuditStatus::parse("PASS"), None);
    }
}
