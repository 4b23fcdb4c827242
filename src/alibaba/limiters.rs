//! The process-wide limiters: one per AccessKeyId, operation and rate (and
//! host-wide budget directory), shared by every client and every
//! concurrent call in the process.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::limiter::{host_budget_for, OperationLimiter};
use super::operations::Operation;

/// What identifies a limiter: the AccessKeyId, the operation, the rate, and
/// the directory of the host-wide budget (`None`: this process only).
type LimiterKey = (String, Operation, NonZeroU32, Option<PathBuf>);
type Registry = Mutex<HashMap<LimiterKey, Arc<OperationLimiter>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The process-wide limiter for this AccessKeyId and operation at this
/// rate. Every caller asking with the same key, operation, rate and budget
/// directory gets the same limiter. With `shared_budget_dir`, its window is
/// kept in the host-wide budget file of this key in that directory, shared
/// with the user's other provider processes (in this process only if that
/// file cannot be used).
pub(crate) fn limiter_for(
    access_key_id: &str,
    operation: Operation,
    per_second: NonZeroU32,
    shared_budget_dir: Option<&Path>,
) -> Arc<OperationLimiter> {
    let key = (
        access_key_id.to_owned(),
        operation,
        per_second,
        shared_budget_dir.map(Path::to_owned),
    );
    // A poisoned lock only means another thread panicked while inserting;
    // the map itself is still consistent, so keep using it.
    let mut map = registry().lock().unwrap_or_else(PoisonError::into_inner);
    map.entry(key)
        .or_insert_with(|| {
            let host = shared_budget_dir.and_then(|dir| host_budget_for(dir, access_key_id));
            Arc::new(OperationLimiter::new(operation.action(), per_second, host))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn same_key_operation_rate_and_budget_share_one_limiter() {
        let get = Operation::GetFlow;
        let a = limiter_for("pacing-test-ak", get, nz(5), None);
        let b = limiter_for("pacing-test-ak", get, nz(5), None);
        assert!(Arc::ptr_eq(&a, &b));
        let differ = |other: Arc<OperationLimiter>| !Arc::ptr_eq(&a, &other);
        assert!(differ(limiter_for("pacing-test-ak-2", get, nz(5), None)));
        assert!(differ(limiter_for("pacing-test-ak", get, nz(4), None)));
        assert!(differ(limiter_for(
            "pacing-test-ak",
            Operation::ListFlow,
            nz(5),
            None
        )));
        let dir = tempfile::tempdir().unwrap();
        let shared = limiter_for("pacing-test-ak", get, nz(5), Some(dir.path()));
        assert!(differ(shared.clone()));
        assert!(shared.is_host_wide());
        assert!(!a.is_host_wide());
    }

    #[tokio::test]
    async fn operations_of_one_key_do_not_hold_each_other_back() {
        let key = "pacing-test-independent";
        let cancel = tokio_util::sync::CancellationToken::new();
        let get = limiter_for(key, Operation::GetFlow, nz(1), None);
        get.until_ready(&cancel).await.unwrap();
        let again = tokio::time::timeout(Duration::from_millis(200), get.until_ready(&cancel));
        assert!(again.await.is_err(), "GetFlow's one call is used");
        let publish = limiter_for(key, Operation::PublishFlow, nz(1), None);
        let first = tokio::time::timeout(Duration::from_millis(200), publish.until_ready(&cancel));
        assert!(first.await.is_ok(), "PublishFlow has its own");
    }
}
