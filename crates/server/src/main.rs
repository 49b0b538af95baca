//! The `chatroom` binary: sets up the allocator, parses the command line,
//! installs logging and hands over to [`chatroom_server::cli::run`].

use clap::Parser;

use chatroom_server::cli::{self, Cli};
use chatroom_server::telemetry;

fn main() -> anyhow::Result<()> {
    cap_malloc_arenas();
    let cli = Cli::parse();
    telemetry::init(cli.log_format)?;
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(cli::run(cli))
}

/// Caps glibc's allocator at one arena per core (unless `MALLOC_ARENA_MAX` is
/// set, which glibc reads itself).
///
/// By default glibc gives every thread that contends for memory an arena of its
/// own, up to eight per core: the runtime's workers, SQLite's connection
/// threads and the blocking pool (password hashing) each end up with one, and
/// each arena keeps the pages that connection set-ups leave fragmented. With
/// one per core the load tool measured, on 2 cores, 9.0–9.8 KiB of RSS per idle
/// connection instead of 11.2–12.4 (`chatroom-loadgen … 100 1000 10 10`), 14.8
/// instead of 22–26 with 400 members, and the same CPU per delivery.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn cap_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    // SAFETY: `mallopt` only sets a parameter of the allocator, under the
    // allocator's own lock; it is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_malloc_arenas() {}
