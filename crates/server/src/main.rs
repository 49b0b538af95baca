//! The `chatroom` binary: sets up the allocator, parses the command line,
//! installs logging and hands over to [`chatroom_server::cli::run`].

use clap::Parser;

use chatroom_server::cli::{self, Cli};
use chatroom_server::telemetry;

fn main() -> anyhow::Result<()> {
    let uncapped = allocator::cap_arenas();
    let cli = Cli::parse();
    telemetry::init(cli.log_format)?;
    if let Some(e) = uncapped {
        tracing::warn!(error = %e, "could not restart with MALLOC_ARENA_MAX set; running with glibc's default arenas");
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(cli::run(cli))
}

/// glibc's allocator arenas, capped at one per core.
///
/// By default glibc gives every thread that contends for memory an arena of its
/// own, up to eight per core: the runtime's workers, SQLite's connection
/// threads and the blocking pool (password hashing) each end up with one, and
/// each arena keeps the pages that connection set-ups leave fragmented. With
/// one per core the load tool measured, on 2 cores, 9.0–9.8 KiB of RSS per idle
/// connection instead of 11.2–12.4 (`chatroom-loadgen … 100 1000 10 10`), 14.8
/// instead of 22–26 with 400 members, and the same CPU per delivery.
///
/// glibc reads the cap only from the environment, once, when the process
/// starts, and the workspace has no `unsafe` code to call `mallopt`: so the
/// binary, started without `MALLOC_ARENA_MAX`, replaces itself (same process,
/// same arguments) with a copy of itself that has it. A value already set, by
/// an operator or by that first start, is kept as it is.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod allocator {
    use std::os::unix::process::CommandExt;

    /// The variable glibc reads.
    const ARENA_MAX: &str = "MALLOC_ARENA_MAX";

    /// Restarts the process with the cap, unless it is set; returns only when
    /// it is set, or with the reason the restart failed.
    pub(super) fn cap_arenas() -> Option<std::io::Error> {
        if std::env::var_os(ARENA_MAX).is_some() {
            return None;
        }
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return Some(e),
        };
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let mut args = std::env::args_os();
        let mut command = std::process::Command::new(exe);
        if let Some(arg0) = args.next() {
            command.arg0(arg0);
        }
        // `exec` returns only if it failed.
        Some(command.args(args).env(ARENA_MAX, cores.to_string()).exec())
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod allocator {
    /// Other allocators keep their own defaults.
    pub(super) fn cap_arenas() -> Option<std::io::Error> {
        None
    }
}
