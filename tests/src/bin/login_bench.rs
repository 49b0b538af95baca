//! Login benchmark: how long `POST /user/login` takes and how many logins a
//! server answers per second. Not a test: run it on an otherwise idle machine,
//! with the release build of the server (`make bench-login`).
//!
//! It starts `chatroom serve` (the binary given as the first argument) on a free
//! port with a fresh SQLite data directory, registers `USERS` users, then keeps
//! `CONCURRENCY` clients logging in for `SECONDS` seconds and prints the
//! latency percentiles and the throughput. Every login must succeed.
//!
//! Usage: login-bench <path/to/chatroom> [concurrency=4] [seconds=10]

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chatroom_tests::Chatroom;
use serde_json::json;

const USERS: usize = 16;
const PASSWORD: &str = "benchmark-password";

#[tokio::main]
#[expect(clippy::print_stdout, reason = "the report on stdout is what a benchmark is for")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let binary = args.next().context("usage: login-bench <path/to/chatroom> [concurrency] [seconds]")?;
    // The server runs in a temporary directory: a relative path must not depend on it.
    let binary = std::fs::canonicalize(&binary).with_context(|| format!("finding {binary}"))?;
    let concurrency: usize = args.next().map_or(Ok(4), |a| a.parse()).context("concurrency")?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse()).context("seconds")?;

    let app = Chatroom::new(binary).try_spawn().await?;
    let client = reqwest::Client::new();
    for i in 0..USERS {
        let body = json!({"userId": format!("bench{i}"), "userPwd": PASSWORD, "userName": "bench",
                          "userEmail": format!("bench{i}@example.com")});
        let answer: serde_json::Value = client.post(app.url("/user/register")).json(&body).send().await?.json().await?;
        if answer["err"]["Code"] != 0 {
            bail!("registering bench{i}: {answer}");
        }
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let (client, url) = (client.clone(), app.url("/user/login"));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = worker;
                while Instant::now() < deadline {
                    let body = json!({"userId": format!("bench{}", n % USERS), "userPwd": PASSWORD});
                    let sent = Instant::now();
                    let answer: serde_json::Value = client.post(&url).json(&body).send().await?.json().await?;
                    latencies.push(sent.elapsed());
                    if answer["err"]["Code"] != 0 {
                        bail!("login failed: {answer}");
                    }
                    n += concurrency;
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    if latencies.is_empty() {
        bail!("no login finished");
    }
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "logins: {} in {:.1}s with {concurrency} clients → {:.1} logins/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1e3,
        percentile(0.99).as_secs_f64() * 1e3,
        percentile(1.0).as_secs_f64() * 1e3,
    );
    Ok(())
}
