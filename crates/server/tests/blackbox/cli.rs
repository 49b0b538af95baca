//! The one-shot subcommands (`config`, `migrate`, `openapi`) and the configuration
//! layering they make visible.

use crate::chatroom;

const SECRET: &str = "a-jwt-secret-that-is-long-enough-0123456789";
const DB_PASSWORD: &str = "hunter2-db-password";

fn parse_toml(text: &str) -> toml::Table {
    text.parse().unwrap_or_else(|e| panic!("not TOML ({e}):\n{text}"))
}

#[tokio::test]
async fn config_subcommand_redacts_secrets() {
    let finished = chatroom()
        .env("CHATROOM__AUTH__JWT_SECRET", SECRET)
        .env("CHATROOM__DATABASE__URL", format!("postgres://chat:{DB_PASSWORD}@db.example:5432/chat"))
        .run(&["config"])
        .await;
    assert!(finished.status.success(), "{finished:?}");
    let everything = format!("{}{}", finished.stdout, finished.stderr);
    assert!(!everything.contains(SECRET), "the JWT secret leaked:\n{everything}");
    assert!(!everything.contains(DB_PASSWORD), "the database password leaked:\n{everything}");
    let config = parse_toml(&finished.stdout);
    assert_eq!(config["auth"]["jwt_secret"].as_str(), Some("[REDACTED]"));
    assert_eq!(config["database"]["url"].as_str(), Some("postgres://chat:[REDACTED]@db.example:5432/chat"));
}

#[tokio::test]
async fn config_subcommand_prints_every_section_with_its_defaults() {
    let finished = chatroom().without_listen_flag().run(&["config"]).await;
    assert!(finished.status.success(), "{finished:?}");
    let config = parse_toml(&finished.stdout);
    assert_eq!(config["http"]["listen"].as_str(), Some("127.0.0.1:8080"));
    assert_eq!(config["http"]["legacy_status_200"].as_bool(), Some(false));
    assert_eq!(config["auth"]["token_ttl"].as_str(), Some("1day"));
    assert_eq!(config["auth"]["purge_interval"].as_str(), Some("10m"), "S10");
    assert_eq!(config["database"]["acquire_timeout"].as_str(), Some("5s"));
    assert_eq!(config["mail"]["transport"].as_str(), Some("console"));
    assert_eq!(config["rooms"]["max_capacity"].as_integer(), Some(500));
    assert_eq!(config["messages"]["replay_limit"].as_integer(), Some(1000));
    assert_eq!(config["images"]["max_bytes"].as_integer(), Some(5 * 1024 * 1024));
    assert_eq!(config["ws"]["outbound_queue_frames"].as_integer(), Some(256));
}

#[tokio::test]
async fn env_overrides_file_overrides_default() {
    let finished = chatroom()
        .without_listen_flag()
        .file(
            "chatroom.toml",
            "[http]\nlisten = \"127.0.0.1:1111\"\n\n[auth]\ntoken_ttl = \"2h\"\n\n[rooms]\nmax_capacity = 42\n",
        )
        .env("CHATROOM__AUTH__TOKEN_TTL", "3h")
        .env("CHATROOM__HTTP__LISTEN", "127.0.0.1:2222")
        .args(["--listen", "127.0.0.1:3333"])
        .run(&["config"])
        .await;
    assert!(finished.status.success(), "{finished:?}");
    let config = parse_toml(&finished.stdout);
    assert_eq!(config["rooms"]["max_capacity"].as_integer(), Some(42), "file over default");
    assert_eq!(config["auth"]["token_ttl"].as_str(), Some("3h"), "env over file");
    assert_eq!(config["http"]["listen"].as_str(), Some("127.0.0.1:3333"), "flag over env");
    assert_eq!(config["messages"]["max_chars"].as_integer(), Some(4000), "default where nobody says otherwise");
}

#[tokio::test]
async fn an_explicit_config_file_is_read_and_a_missing_one_is_an_error() {
    let command = chatroom().file("custom.toml", "[rooms]\nmax_capacity = 7\n");
    let finished = command.run(&["--config", "custom.toml", "config"]).await;
    assert!(finished.status.success(), "{finished:?}");
    assert_eq!(parse_toml(&finished.stdout)["rooms"]["max_capacity"].as_integer(), Some(7));
    let missing = command.run(&["--config", "missing.toml", "config"]).await;
    assert!(!missing.status.success());
    assert!(missing.stderr.contains("missing.toml"), "{missing:?}");
}

#[tokio::test]
async fn an_invalid_configuration_is_refused_naming_the_key() {
    let short = chatroom().env("CHATROOM__AUTH__JWT_SECRET", "too-short").run(&["serve"]).await;
    assert!(!short.status.success());
    assert!(short.stderr.contains("auth.jwt_secret"), "{short:?}");
    let typo = chatroom().env("CHATROOM__ROOMS__MAX_CAPACTIY", "3").run(&["serve"]).await;
    assert!(!typo.status.success());
    assert!(typo.stderr.contains("max_capactiy"), "{typo:?}");
}

#[tokio::test]
async fn redis_with_sqlite_is_refused_as_single_node_only() {
    let finished = chatroom().env("CHATROOM__REDIS__URL", "redis://127.0.0.1:6379").run(&["serve"]).await;
    assert!(!finished.status.success());
    assert!(finished.stderr.contains("single-node only"), "{finished:?}");
}

#[tokio::test]
async fn migrate_subcommand_creates_the_schema() {
    let command = chatroom();
    let finished = command.run(&["migrate"]).await;
    assert!(finished.status.success(), "{finished:?}");
    let database = command.data_dir().join("chatroom.db");
    assert!(database.is_file(), "{} missing", database.display());
    let tables = sqlite_tables(&database).await;
    for table in ["users", "sessions", "rooms", "memberships", "room_events", "seaql_migrations"] {
        assert!(tables.iter().any(|t| t == table), "no table {table} in {tables:?}");
    }
    // Nothing was served: a one-shot command exits without listening.
    assert!(!finished.stderr.contains("listening on"), "{}", finished.stderr);
}

#[tokio::test]
async fn openapi_subcommand_prints_the_document_as_json_or_yaml() {
    let json = chatroom().run(&["openapi"]).await;
    assert!(json.status.success(), "{json:?}");
    let document: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON on stdout");
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let yaml = chatroom().run(&["openapi", "--yaml"]).await;
    assert!(yaml.status.success(), "{yaml:?}");
    assert!(yaml.stdout.starts_with("openapi:") || yaml.stdout.contains("\nopenapi:"), "{}", yaml.stdout);
}

async fn sqlite_tables(path: &std::path::Path) -> Vec<String> {
    use sqlx::{Connection, Row};
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(&mut connection).await.unwrap();
    rows.iter().map(|row| row.get::<String, _>("name")).collect()
}
