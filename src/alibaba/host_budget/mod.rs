//! The host-wide budget: provider processes of one user on one machine
//! share each (AccessKeyId, operation) limit, so that N Terraform runs on
//! one account together stay within the account's limit instead of each
//! sending at the full rate.
//!
//! The processes meet in one small file per AccessKeyId ([`location`]),
//! locked while a process reads the recent send times, decides
//! ([`ledger`]) and records its own send. A process that finds the window
//! full sleeps until the oldest send leaves it and tries again. Within a
//! process, the callers of one operation queue up first, so only one of
//! them at a time polls the file.
//!
//! The file is an optimisation, not a requirement: when it cannot be used
//! ([`HostBudgetError`]) the caller paces in-process as before.

pub mod ledger;
pub mod location;

use std::collections::HashMap;
use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use ledger::{Decision, Ledger};

/// How long a process waits for another to release the file lock before it
/// gives up on the file. Holders keep it for a read and a write; a holder
/// that keeps it longer is stuck (e.g. a run suspended with Ctrl-Z).
const LOCK_PATIENCE: Duration = Duration::from_secs(2);

/// The pause between two tries of a lock another process holds.
const LOCK_RETRY: Duration = Duration::from_millis(1);

/// Why the host-wide budget cannot be used. The caller falls back to
/// in-process pacing.
#[derive(Debug, thiserror::Error)]
pub enum HostBudgetError {
    #[error("cannot use {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("{} is not a regular file", .0.display())]
    NotARegularFile(PathBuf),
    #[error("{} belongs to user id {owner}, not to this user", path.display())]
    ForeignOwner { path: PathBuf, owner: u32 },
    #[error("{} is writable by other users (mode {mode:o})", path.display())]
    WritableByOthers { path: PathBuf, mode: u32 },
    #[error("{} stayed locked by another process for {} s", path.display(), waited.as_secs_f64())]
    LockTimeout { path: PathBuf, waited: Duration },
    #[error("operation name {0:?} cannot be stored in a budget file")]
    InvalidOperation(String),
    #[error("a window of {} s is longer than a budget file tracks", .0.as_secs_f64())]
    WindowTooLong(Duration),
    #[error("host-wide budgets need a Unix system")]
    Unsupported,
}

/// How [`HostBudget::acquire`] ended without a send slot.
#[derive(Debug, thiserror::Error)]
pub enum AcquireError {
    #[error("cancelled while waiting for the host-wide budget")]
    Cancelled,
    #[error(transparent)]
    Unusable(#[from] HostBudgetError),
}

/// One AccessKeyId's budget file, opened by this process.
#[derive(Debug)]
pub struct HostBudget {
    path: PathBuf,
    /// The open file. The std mutex keeps two threads of this process out
    /// of the read-decide-write step at once: the file lock is per open
    /// file, so it does not separate them. Never held across an await.
    file: Mutex<File>,
    /// One queue per operation: this process's callers wait their turn
    /// here, so that one of them at a time polls the file.
    queues: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    lock_patience: Duration,
}

/// One step of the polling loop.
enum Step {
    Admitted(SystemTime),
    Wait(Duration),
    LockBusy,
}

impl HostBudget {
    /// Opens (creating if needed) the budget file of this AccessKeyId in
    /// the default directory ([`location::default_dir`]).
    pub fn open(access_key_id: &str) -> Result<Self, HostBudgetError> {
        Self::open_in(&location::default_dir(), access_key_id)
    }

    /// Opens (creating if needed) the budget file of this AccessKeyId in
    /// `dir`.
    pub(crate) fn open_in(dir: &Path, access_key_id: &str) -> Result<Self, HostBudgetError> {
        let name = location::file_name(access_key_id);
        let file = location::open_private_file(dir, &name)?;
        Ok(Self {
            path: dir.join(name),
            file: Mutex::new(file),
            queues: Mutex::default(),
            lock_patience: LOCK_PATIENCE,
        })
    }

    /// The budget file's path (named by a hash; safe to log).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits until fewer than `limit` sends of `operation` by any process
    /// sharing this file fall in the last `window`, then records a send
    /// and returns its time. Processes with different limits for one
    /// operation each count every send, so together they stay within the
    /// highest of their limits.
    pub async fn acquire(
        &self,
        operation: &str,
        limit: NonZeroU32,
        window: Duration,
        cancel: &CancellationToken,
    ) -> Result<SystemTime, AcquireError> {
        if !ledger::is_valid_operation(operation) {
            return Err(HostBudgetError::InvalidOperation(operation.to_owned()).into());
        }
        if window > ledger::MAX_WINDOW {
            return Err(HostBudgetError::WindowTooLong(window).into());
        }
        let queue = self.queue(operation);
        let _turn = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(AcquireError::Cancelled),
            turn = queue.lock() => turn,
        };
        let mut lock_busy_since: Option<Instant> = None;
        loop {
            if cancel.is_cancelled() {
                return Err(AcquireError::Cancelled);
            }
            let pause = match self.try_admit(operation, limit.get(), window)? {
                Step::Admitted(at) => return Ok(at),
                Step::Wait(wait) => {
                    lock_busy_since = None;
                    wait
                }
                Step::LockBusy => {
                    let since = *lock_busy_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= self.lock_patience {
                        return Err(HostBudgetError::LockTimeout {
                            path: self.path.clone(),
                            waited: since.elapsed(),
                        }
                        .into());
                    }
                    LOCK_RETRY
                }
            };
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(AcquireError::Cancelled),
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    fn queue(&self, operation: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        queues.entry(operation.to_owned()).or_default().clone()
    }

    /// Locks the file without blocking, reads it, decides, and records the
    /// send if admitted.
    fn try_admit(
        &self,
        operation: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Step, HostBudgetError> {
        self.try_admit_at(operation, limit, window, SystemTime::now())
    }

    /// [`HostBudget::try_admit`] at the wall-clock time `now`. Sends the
    /// file records later than `now` (the clock was stepped back) are
    /// moved to `now` and written back even when the call must wait: left
    /// in the file, they would hold every later call of their operation
    /// until the clock caught up (25 s, or an hour, for a step that long).
    fn try_admit_at(
        &self,
        operation: &str,
        limit: u32,
        window: Duration,
        now: SystemTime,
    ) -> Result<Step, HostBudgetError> {
        // A poisoned mutex means a thread panicked inside this step; the
        // `FileLock` guard released the file lock while unwinding, so the
        // file is still usable.
        let file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Step::LockBusy),
            Err(TryLockError::Error(source)) => return Err(self.io_error(source)),
        }
        let locked = FileLock(&file);
        let now_us = micros_since_epoch(now);
        let mut ledger = self.read(locked.0)?;
        let repaired = ledger.repair_future(now_us);
        match ledger.admit(operation, now_us, limit, window) {
            Decision::Wait(wait) => {
                if repaired {
                    tracing::debug!(
                        operation,
                        "the budget file recorded sends later than now (the clock went back); moved them to now"
                    );
                    self.write(locked.0, &ledger.to_bytes())?;
                }
                // Never longer than one window: every send that counts is
                // at or before now.
                Ok(Step::Wait(wait.min(window)))
            }
            Decision::Admitted(at) => {
                self.write(locked.0, &ledger.to_bytes())?;
                Ok(Step::Admitted(UNIX_EPOCH + Duration::from_micros(at)))
            }
        }
    }

    fn read(&self, mut file: &File) -> Result<Ledger, HostBudgetError> {
        let len = file.metadata().map_err(|e| self.io_error(e))?.len();
        if len > ledger::MAX_FILE_BYTES {
            // Not a file this code wrote; start afresh rather than read it.
            return Ok(Ledger::default());
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.take(ledger::MAX_FILE_BYTES).read_to_end(&mut bytes))
            .map_err(|e| self.io_error(e))?;
        Ok(Ledger::parse(&bytes))
    }

    fn write(&self, mut file: &File, bytes: &[u8]) -> Result<(), HostBudgetError> {
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(bytes))
            .and_then(|()| file.set_len(bytes.len() as u64))
            .map_err(|e| self.io_error(e))
    }

    fn io_error(&self, source: std::io::Error) -> HostBudgetError {
        HostBudgetError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// Releases the file lock when dropped, on every path out of the
/// read-decide-write step.
struct FileLock<'a>(&'a File);

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        // Failing to unlock a file we hold cannot happen short of a closed
        // descriptor; closing (at exit) releases it anyway.
        let _ = self.0.unlock();
    }
}

fn micros_since_epoch(t: SystemTime) -> u64 {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(all(test, unix))]
mod tests;
