//! Starting and stopping: zero-configuration start, the files a first start
//! creates, signals, log formats.

use std::time::Duration;

use crate::{chatroom, spawn_app};

#[tokio::test]
async fn serve_in_an_empty_directory_answers_healthz_within_5_seconds() {
    // No flag but the free port: the defaults alone must give a working server.
    let command = chatroom().without_data_dir_flag();
    assert_eq!(std::fs::read_dir(command.workdir()).unwrap().count(), 0, "the directory is not empty");
    let app = command.spawn().await;
    assert!(app.started_in < Duration::from_secs(5), "took {:?}", app.started_in);
    // The default data directory is ./data, with the SQLite database in it.
    assert!(app.workdir().join("data").join("chatroom.db").is_file());
}

#[cfg(unix)]
#[tokio::test]
async fn jwt_secret_file_is_created_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt;

    let app = spawn_app().await;
    let secret = app.data_dir().join("jwt_secret");
    let metadata = std::fs::metadata(&secret).unwrap_or_else(|e| panic!("{}: {e}", secret.display()));
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert!(metadata.len() >= 64, "a 32-byte secret is at least 64 hex digits");
}

#[tokio::test]
async fn a_configured_jwt_secret_is_used_instead_of_a_generated_one() {
    let app = chatroom().env("CHATROOM__AUTH__JWT_SECRET", "0123456789abcdef0123456789abcdef-test").spawn().await;
    assert!(!app.data_dir().join("jwt_secret").exists());
}

#[tokio::test]
async fn the_response_mail_transport_is_warned_about_at_start() {
    let app = chatroom().env("CHATROOM__MAIL__TRANSPORT", "response").spawn().await;
    let logs = app.logs();
    assert!(logs.iter().any(|line| line.contains("WARN") && line.contains("mail.transport")), "{logs:?}");
}

#[tokio::test]
async fn sigterm_exits_zero() {
    let mut app = spawn_app().await;
    app.signal("TERM").await;
    let status = app.wait_for_exit(Duration::from_secs(20)).await;
    assert!(status.success(), "{status:?}");
    assert!(app.logs().iter().any(|line| line.contains("SIGTERM")), "{:?}", app.logs());
}

#[tokio::test]
async fn sigint_exits_zero() {
    let mut app = spawn_app().await;
    app.signal("INT").await;
    let status = app.wait_for_exit(Duration::from_secs(20)).await;
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn json_log_format_emits_json_lines() {
    let app = chatroom().args(["--log-format", "json"]).spawn().await;
    let logs = app.logs();
    assert!(!logs.is_empty());
    for line in logs.iter().filter(|line| !line.trim().is_empty()) {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(event["level"].is_string() && event["timestamp"].is_string(), "{line}");
    }
    assert!(logs.iter().any(|line| line.contains("listening on http://")));
}

#[tokio::test]
async fn text_logs_carry_no_colour_codes_when_not_on_a_terminal() {
    let app = spawn_app().await;
    assert!(app.logs().iter().all(|line| !line.contains('\u{1b}')), "{:?}", app.logs());
}

#[tokio::test]
async fn a_second_start_on_the_same_data_dir_reuses_the_database_and_the_secret() {
    let mut first = spawn_app().await;
    let secret = std::fs::read(first.data_dir().join("jwt_secret")).unwrap();
    first.signal("TERM").await;
    assert!(first.wait_for_exit(Duration::from_secs(20)).await.success());
    let data_dir = first.data_dir();
    let second = chatroom().with_data_dir(&data_dir).spawn().await;
    assert_eq!(std::fs::read(data_dir.join("jwt_secret")).unwrap(), secret);
    assert_eq!(second.get("/readyz").await.status(), 200);
    drop(first);
}

/// The server's own environment, as the kernel shows it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn environment_of(app: &chatroom_tests::TestApp) -> Vec<String> {
    let environ = std::fs::read(format!("/proc/{}/environ", app.pid())).unwrap();
    environ.split(|b| *b == 0).map(|entry| String::from_utf8_lossy(entry).into_owned()).collect()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[tokio::test]
async fn the_server_runs_with_one_allocator_arena_per_core() {
    let app = spawn_app().await;
    let cores = std::thread::available_parallelism().unwrap().get();
    // The process the harness started, now serving, is the restarted one.
    let arenas: Vec<String> = environment_of(&app).into_iter().filter(|e| e.starts_with("MALLOC_ARENA_MAX=")).collect();
    assert_eq!(arenas, [format!("MALLOC_ARENA_MAX={cores}")]);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[tokio::test]
async fn an_operators_malloc_arena_max_is_kept() {
    let app = chatroom().env("MALLOC_ARENA_MAX", "7").spawn().await;
    let arenas: Vec<String> = environment_of(&app).into_iter().filter(|e| e.starts_with("MALLOC_ARENA_MAX=")).collect();
    assert_eq!(arenas, ["MALLOC_ARENA_MAX=7"]);
}
