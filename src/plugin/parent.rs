//! Noticing that the host (Terraform) is gone.
//!
//! go-plugin hosts shut their plugins down with `Shutdown`, or kill them.
//! When the host itself is killed (kill -9, an OOM kill, a crashed CI
//! runner), nobody does either: the plugin is reparented to init and would
//! keep its socket and memory forever. So the plugin watches its parent and
//! exits when it dies.
//!
//! Linux: a pidfd of the parent becomes readable when the parent exits: no
//! polling, no signal (`PR_SET_PDEATHSIG` fires when the parent *thread*
//! that forked us exits, and Go forks from arbitrary threads). Elsewhere, or
//! where pidfds are not available, the parent pid is polled.

use std::time::Duration;

/// How often the parent is checked when no pidfd can be had.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Completes when the process that started this one has exited (this
/// process then has another parent). Never completes if it has not.
pub async fn exited() -> u32 {
    let parent = std::os::unix::process::parent_id();
    #[cfg(target_os = "linux")]
    if let Some(fd) = pidfd::open(parent) {
        // Opened after reading the parent: if the parent died in between,
        // our parent id has already changed.
        if std::os::unix::process::parent_id() != parent {
            return parent;
        }
        // SAFETY: `fd` is an OwnedFd moved into the AsyncFd, so it stays
        // open and the same descriptor for the AsyncFd's whole life.
        let watch = unsafe {
            tokio::io::unix::AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE)
        };
        if let Ok(watch) = watch {
            if watch.readable().await.is_ok() {
                return parent;
            }
        }
        // Could not wait on it: poll instead.
    }
    loop {
        if std::os::unix::process::parent_id() != parent {
            return parent;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

#[cfg(target_os = "linux")]
mod pidfd {
    use std::os::fd::{FromRawFd as _, OwnedFd};

    /// `pidfd_open(2)` (Linux 5.3+); `None` where the kernel has none or
    /// the process is gone.
    pub fn open(pid: u32) -> Option<OwnedFd> {
        let pid = libc::pid_t::try_from(pid).ok()?;
        // SAFETY: pidfd_open takes a pid and flags and returns a new file
        // descriptor or -1; nothing is borrowed.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
        // SAFETY: a fresh descriptor that nothing else owns.
        Some(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}
