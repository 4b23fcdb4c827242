//! Tests of the host-wide budget, including several processes sharing one
//! file: the test binary starts copies of itself, each running only
//! [`helper_process_sends_through_the_budget`].

use super::*;
use std::process::{Command, Stdio};

const OP: &str = "GetFlowJSONAssest";

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// The most sends found in any span shorter than `window`.
fn busiest_window(times: &mut [SystemTime], window: Duration) -> usize {
    times.sort();
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]).unwrap() < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn concurrent_callers_in_one_process_stay_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let budget = Arc::new(HostBudget::open_in(dir.path(), "AK-one-process").unwrap());
    let window = Duration::from_millis(200);
    let started = Instant::now();
    let tasks: Vec<_> = (0..9)
        .map(|_| {
            let budget = budget.clone();
            tokio::spawn(async move {
                let cancel = CancellationToken::new();
                budget.acquire(OP, nz(3), window, &cancel).await.unwrap()
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.push(task.await.unwrap());
    }
    assert_eq!(busiest_window(&mut times, window), 3);
    // 9 sends at 3 per window need two further windows after the first.
    assert!(started.elapsed() >= 2 * window, "{:?}", started.elapsed());
}

#[tokio::test]
async fn two_openers_of_one_file_share_it() {
    // Two `HostBudget`s on one file behave like two processes: each has
    // its own open file, so the file lock separates them.
    let dir = tempfile::tempdir().unwrap();
    let a = HostBudget::open_in(dir.path(), "AK-shared").unwrap();
    let b = HostBudget::open_in(dir.path(), "AK-shared").unwrap();
    let other_key = HostBudget::open_in(dir.path(), "AK-other").unwrap();
    let cancel = CancellationToken::new();
    let window = Duration::from_secs(30);
    a.acquire(OP, nz(2), window, &cancel).await.unwrap();
    b.acquire(OP, nz(2), window, &cancel).await.unwrap();
    let third = tokio::time::timeout(
        Duration::from_millis(200),
        a.acquire(OP, nz(2), window, &cancel),
    )
    .await;
    assert!(third.is_err(), "the window holds two sends already");
    // Another AccessKeyId has a file, and a budget, of its own.
    other_key.acquire(OP, nz(2), window, &cancel).await.unwrap();
}

#[tokio::test]
async fn cancellation_ends_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let budget = Arc::new(HostBudget::open_in(dir.path(), "AK-cancel").unwrap());
    let window = Duration::from_secs(30);
    let cancel = CancellationToken::new();
    budget.acquire(OP, nz(1), window, &cancel).await.unwrap();
    let waiter = {
        let (budget, cancel) = (budget.clone(), cancel.clone());
        tokio::spawn(async move { budget.acquire(OP, nz(1), window, &cancel).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let outcome = waiter.await.unwrap();
    assert!(
        matches!(outcome, Err(AcquireError::Cancelled)),
        "{outcome:?}"
    );
    assert!(cancelled_at.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_lock_held_too_long_makes_the_file_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let mut budget = HostBudget::open_in(dir.path(), "AK-stuck").unwrap();
    budget.lock_patience = Duration::from_millis(100);
    // Another open file description stands for a stuck process.
    let stuck = File::open(budget.path()).unwrap();
    stuck.lock().unwrap();
    let outcome = budget
        .acquire(OP, nz(5), Duration::from_secs(1), &CancellationToken::new())
        .await;
    assert!(
        matches!(
            outcome,
            Err(AcquireError::Unusable(HostBudgetError::LockTimeout { .. }))
        ),
        "{outcome:?}"
    );
    // Released, it is usable again.
    stuck.unlock().unwrap();
    budget
        .acquire(OP, nz(5), Duration::from_secs(1), &CancellationToken::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_briefly_held_lock_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let budget = HostBudget::open_in(dir.path(), "AK-brief").unwrap();
    let other = File::open(budget.path()).unwrap();
    other.lock().unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        other.unlock().unwrap();
    });
    let started = Instant::now();
    budget
        .acquire(OP, nz(5), Duration::from_secs(1), &CancellationToken::new())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(90),
        "{:?}",
        started.elapsed()
    );
    release.await.unwrap();
}

#[tokio::test]
async fn names_and_windows_a_file_cannot_hold_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let budget = HostBudget::open_in(dir.path(), "AK-refuse").unwrap();
    let cancel = CancellationToken::new();
    let bad_name = budget
        .acquire("Get Flow\n1", nz(5), Duration::from_secs(1), &cancel)
        .await;
    assert!(
        matches!(
            bad_name,
            Err(AcquireError::Unusable(HostBudgetError::InvalidOperation(_)))
        ),
        "{bad_name:?}"
    );
    let long = budget
        .acquire(OP, nz(5), Duration::from_secs(3600), &cancel)
        .await;
    assert!(
        matches!(
            long,
            Err(AcquireError::Unusable(HostBudgetError::WindowTooLong(_)))
        ),
        "{long:?}"
    );
}

#[tokio::test]
async fn the_budget_file_holds_no_key_material() {
    let dir = tempfile::tempdir().unwrap();
    let access_key_id = "LTAI5tNoKeyMaterialTest";
    let budget = HostBudget::open_in(dir.path(), access_key_id).unwrap();
    let cancel = CancellationToken::new();
    for op in [OP, "GetFlow", "ListFlow"] {
        budget
            .acquire(op, nz(5), Duration::from_secs(1), &cancel)
            .await
            .unwrap();
    }
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);
    let entry = entries.into_iter().next().unwrap().unwrap();
    let name = entry.file_name().into_string().unwrap();
    let content = std::fs::read_to_string(entry.path()).unwrap();
    let needle = access_key_id.to_lowercase();
    // Neither the key nor any 8-character piece of it.
    for piece in needle.as_bytes().windows(8) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!name.to_lowercase().contains(piece), "{name} holds {piece}");
        assert!(
            !content.to_lowercase().contains(piece),
            "{content} holds {piece}"
        );
    }
    // What it does hold: the header and one line of times per operation.
    let mut lines = content.lines();
    assert_eq!(lines.next(), Some("cams-host-budget 1"));
    for line in lines {
        let mut fields = line.split(' ');
        assert!(["GetFlow", "GetFlowJSONAssest", "ListFlow"].contains(&fields.next().unwrap()));
        assert!(fields.all(|f| f.parse::<u64>().is_ok()), "{line}");
    }
}

/// Set in the helper processes: `<dir> <sends per process> <limit> <window ms>`.
const HELPER_ENV: &str = "CAMS_HOST_BUDGET_TEST_HELPER";
const HELPER_KEY: &str = "AK-multi-process";

/// Not a test of its own: the body of each helper process started by
/// [`processes_sharing_a_budget_file_stay_within_the_limit`]. Without the
/// variable (a normal test run) it returns at once.
#[test]
fn helper_process_sends_through_the_budget() {
    let Ok(spec) = std::env::var(HELPER_ENV) else {
        return;
    };
    let fields: Vec<&str> = spec.split(' ').collect();
    let [dir, sends, limit, window_ms] = fields[..] else {
        panic!("bad {HELPER_ENV}: {spec}");
    };
    let sends: usize = sends.parse().unwrap();
    let limit = nz(limit.parse().unwrap());
    let window = Duration::from_millis(window_ms.parse().unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let times = runtime.block_on(async {
        let budget = Arc::new(HostBudget::open_in(Path::new(dir), HELPER_KEY).unwrap());
        // Several callers at once, as a provider reading many flows.
        let tasks: Vec<_> = (0..sends)
            .map(|_| {
                let budget = budget.clone();
                tokio::spawn(async move {
                    let cancel = CancellationToken::new();
                    budget.acquire(OP, limit, window, &cancel).await.unwrap()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times
    });
    for t in times {
        println!("admitted {}", micros_since_epoch(t));
    }
}

#[test]
fn processes_sharing_a_budget_file_stay_within_the_limit() {
    const PROCESSES: usize = 4;
    const SENDS: usize = 6;
    const LIMIT: u32 = 3;
    let window = Duration::from_millis(300);
    let dir = tempfile::tempdir().unwrap();
    let helper = format!(
        "{}::helper_process_sends_through_the_budget",
        module_path!().split_once("::").unwrap().1
    );
    let spec = format!(
        "{} {SENDS} {LIMIT} {}",
        dir.path().display(),
        window.as_millis()
    );
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    helper.as_str(),
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(HELPER_ENV, &spec)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut times = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "helper failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mine: Vec<SystemTime> = stdout
            .lines()
            // The harness may print the test's name on the first line.
            .filter_map(|line| line.split_once("admitted ").map(|(_, us)| us))
            .map(|us| UNIX_EPOCH + Duration::from_micros(us.parse().unwrap()))
            .collect();
        assert_eq!(mine.len(), SENDS, "{stdout}");
        times.extend(mine);
    }
    assert_eq!(busiest_window(&mut times, window), LIMIT as usize);
    // Alone, each process would be done within one window (6 sends at 3
    // per window); sharing, the 24 sends need 7 windows after the first.
    let span = times.last().unwrap().duration_since(times[0]).unwrap();
    let needed = window * (PROCESSES * SENDS / LIMIT as usize - 1) as u32;
    assert!(span >= needed, "span {span:?} < {needed:?}");
}

/// Issue 16 item 7: the wall clock stepped back 25 s (or an hour) after
/// sends were recorded. The call waits one window at most, and the next
/// look, one window later, is admitted; before, every look found the same
/// future sends and waited again until the clock caught up.
#[test]
fn sends_recorded_in_the_future_hold_a_call_back_one_window_at_most() {
    for step_back in [Duration::from_secs(25), Duration::from_secs(3600)] {
        let dir = tempfile::tempdir().unwrap();
        let budget = HostBudget::open_in(dir.path(), "AK-clock-step").unwrap();
        let window = Duration::from_millis(1100);
        let before_step = SystemTime::now();
        for _ in 0..5 {
            assert!(matches!(
                budget.try_admit_at(OP, 5, window, before_step).unwrap(),
                Step::Admitted(_)
            ));
        }
        let after_step = before_step - step_back;
        match budget.try_admit_at(OP, 5, window, after_step).unwrap() {
            Step::Wait(wait) => assert!(wait <= window, "{step_back:?}: waits {wait:?}"),
            _ => panic!("{step_back:?}: five sends count as sent now"),
        }
        assert!(
            matches!(
                budget
                    .try_admit_at(OP, 5, window, after_step + window)
                    .unwrap(),
                Step::Admitted(_)
            ),
            "{step_back:?}: one window later the call goes out"
        );
        let file = std::fs::read_to_string(budget.path()).unwrap();
        let latest = micros_since_epoch(after_step + window);
        assert!(
            file.lines()
                .skip(1)
                .flat_map(|l| l.split(' ').skip(1))
                .all(|t| t.parse::<u64>().unwrap() <= latest),
            "no send left in the future: {file}"
        );
    }
}
