//! `chatroom-loadgen`: a load tool for one room. Not a test: run it on an
//! otherwise idle machine against the release build (`make bench-room`).
//!
//! It starts `chatroom serve` (the binary given as the first argument) on a free
//! port with a fresh SQLite data directory and the flood limit raised, registers
//! `members` users, connects them all to one room, and then has `senders` of them
//! offer `rate` messages per second in total for `seconds` seconds. Every member
//! receives every message (W13): it reports deliveries per second, the latency
//! from send to receipt (p50/p99/max, measured on one clock since sender and
//! receivers share this process), lost or duplicated deliveries, and the
//! server's resident memory: idle, with the members connected, and at the end.
//!
//! Usage: chatroom-loadgen <path/to/chatroom> [members=100] [rate=1000] [seconds=10] [senders=10]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chatroom_tests::{Chatroom, TestApp};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::Barrier;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "loadgen-password";

struct Options {
    members: usize,
    rate: u64,
    seconds: u64,
    senders: usize,
}

/// The part of a server frame the receivers read.
#[derive(serde::Deserialize)]
struct Delivery<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    content: Option<&'a str>,
}

/// What one receiving member saw.
#[derive(Default)]
struct Received {
    latencies: Vec<Duration>,
    /// How many times each (sender, n) arrived.
    seen: HashMap<(usize, u64), u32>,
}

#[tokio::main]
#[expect(clippy::print_stdout, reason = "the report on stdout is what a load tool is for")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: chatroom-loadgen <path/to/chatroom> [members] [rate] [seconds] [senders]";
    let binary = args.next().context(usage)?;
    let binary = std::fs::canonicalize(&binary).with_context(|| format!("finding {binary}"))?;
    let mut number = |default: u64| -> anyhow::Result<u64> { Ok(args.next().map_or(Ok(default), |a| a.parse())?) };
    let options = Options {
        members: usize::try_from(number(100)?)?,
        rate: number(1000)?,
        seconds: number(10)?,
        senders: usize::try_from(number(10)?)?,
    };
    if options.senders == 0 || options.senders > options.members {
        bail!("senders must be between 1 and members");
    }

    let app = Chatroom::new(binary)
        .env("RUST_LOG", "warn,chatroom_server=info")
        .env("CHATROOM__ROOMS__MAX_CAPACITY", "100000")
        .env("CHATROOM__WS__FLOOD_RATE", "1000000")
        .env("CHATROOM__WS__FLOOD_BURST", "1000000")
        .env("CHATROOM__WS__OUTBOUND_QUEUE_FRAMES", "65536")
        .env("CHATROOM__WS__OUTBOUND_QUEUE_BYTES", "67108864")
        .try_spawn()
        .await?;
    let tokens = register_all(&app, options.members).await?;
    // After the logins: password hashing leaves its memory with the allocator,
    // which must not be counted as the connections' cost.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = rss_kib(app.pid());

    // Everyone in the room; the first creates it.
    let mut sockets = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let path = if i == 0 {
            "/room/create?roomId=load&roomName=load&roomCap=10000&roomAccess=true"
        } else {
            "/room/enter?roomId=load"
        };
        sockets.push(connect(&app, token, path).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected_rss = rss_kib(app.pid());

    // The cost of an idle connection alone: every member opens a second device
    // (no membership, no presence), which is then closed again.
    let mut devices = Vec::new();
    for token in &tokens {
        devices.push(connect(&app, token, "/room/enter?roomId=load").await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let devices_rss = rss_kib(app.pid());
    drop(devices);

    let origin = Instant::now();
    let barrier = Arc::new(Barrier::new(options.members + 1));
    let per_sender = options.rate * options.seconds / options.senders as u64;
    let expected_total = per_sender * options.senders as u64;
    let interval = Duration::from_secs_f64(options.senders as f64 / options.rate as f64);
    let mut tasks = Vec::new();
    for (i, socket) in sockets.into_iter().enumerate() {
        let (mut sink, mut stream) = socket.split();
        let barrier = Arc::clone(&barrier);
        let sender = i < options.senders;
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let send = async {
                if !sender {
                    return anyhow::Ok(());
                }
                let mut ticks = tokio::time::interval(interval);
                for n in 0..per_sender {
                    ticks.tick().await;
                    let micros = origin.elapsed().as_micros();
                    let frame = json!({"type": "message", "content": format!("{i} {n} {micros}"), "clientMsgId": format!("{i}-{n}")});
                    sink.send(Message::Text(frame.to_string().into())).await?;
                }
                Ok(())
            };
            let receive = async {
                let mut received = Received::default();
                let mut delivered = 0u64;
                while delivered < expected_total {
                    let next = tokio::time::timeout(Duration::from_secs(10), stream.next()).await;
                    let Ok(Some(Ok(Message::Text(text)))) = next else {
                        match next {
                            Ok(Some(Ok(_))) => continue,
                            _ => break,
                        }
                    };
                    // Only the fields it needs, borrowed: the tool shares the machine's
                    // cores with the server, so its own work per frame is kept small.
                    let frame: Delivery<'_> = serde_json::from_str(&text)?;
                    if frame.kind != "message" {
                        continue;
                    }
                    let content = frame.content.unwrap_or_default();
                    let mut parts = content.split(' ').map(str::parse::<u128>);
                    let (Some(Ok(from)), Some(Ok(n)), Some(Ok(sent))) = (parts.next(), parts.next(), parts.next()) else {
                        continue;
                    };
                    let now = origin.elapsed().as_micros();
                    received.latencies.push(Duration::from_micros(u64::try_from(now.saturating_sub(sent))?));
                    *received.seen.entry((usize::try_from(from)?, u64::try_from(n)?)).or_default() += 1;
                    delivered += 1;
                }
                anyhow::Ok(received)
            };
            let (sent, received) = tokio::join!(send, receive);
            sent?;
            received
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let cpu_before = cpu_seconds(app.pid());
    let mut all = Vec::new();
    let mut duplicates = 0u64;
    let mut missing = 0u64;
    for task in tasks {
        let received = task.await??;
        duplicates +=
            received.seen.values().filter(|count| **count > 1).map(|count| u64::from(*count - 1)).sum::<u64>();
        missing += expected_total - received.seen.len() as u64;
        all.extend(received.latencies);
    }
    let elapsed = started.elapsed();
    let cpu = cpu_seconds(app.pid()) - cpu_before;
    let end_rss = rss_kib(app.pid());
    all.sort();
    if all.is_empty() {
        bail!("nothing was delivered");
    }
    let percentile = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "room of {} members, {} senders offering {} msg/s for {}s: {} messages, {} deliveries in {:.1}s → {:.0} deliveries/s",
        options.members,
        options.senders,
        options.rate,
        options.seconds,
        expected_total,
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency send→receive: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; missing {missing}, duplicated {duplicates}",
        percentile(0.5),
        percentile(0.99),
        percentile(1.0)
    );
    println!(
        "server CPU: {cpu:.2} s user+system over the run ({:.0}% of one core), {:.2} µs per delivery",
        cpu / elapsed.as_secs_f64() * 100.0,
        cpu * 1e6 / all.len() as f64
    );
    println!(
        "server RSS: {idle_rss} KiB before connecting, {connected_rss} KiB with {} members connected ({:.1} KiB per connection), {end_rss} KiB at the end",
        options.members,
        (connected_rss.saturating_sub(idle_rss)) as f64 / options.members as f64
    );
    println!(
        "idle connection: {:.1} KiB of server RSS each ({} second devices: {connected_rss} → {devices_rss} KiB)",
        (devices_rss.saturating_sub(connected_rss)) as f64 / options.members as f64,
        options.members
    );
    Ok(())
}

/// Registers and logs in `count` users, a few at a time; returns their tokens.
async fn register_all(app: &TestApp, count: usize) -> anyhow::Result<Vec<String>> {
    let client = reqwest::Client::new();
    let mut tokens = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(8) {
        let logins = chunk.iter().map(|i| {
            let client = client.clone();
            let (register, login) = (app.url("/user/register"), app.url("/user/login"));
            async move {
                let id = format!("load{i}");
                let body = json!({"userId": id, "userPwd": PASSWORD, "userName": id, "userEmail": format!("{id}@example.com")});
                client.post(register).json(&body).send().await?;
                let answer: Value =
                    client.post(login).json(&json!({"userId": id, "userPwd": PASSWORD})).send().await?.json().await?;
                answer["err"]["Msg"]["token"].as_str().map(str::to_owned).context("no token")
            }
        });
        for token in futures_util::future::join_all(logins).await {
            tokens.push(token?);
        }
    }
    Ok(tokens)
}

/// A WebSocket session of the member holding `token` on `path`, read up to
/// `caughtUp`.
async fn connect(app: &TestApp, token: &str, path: &str) -> anyhow::Result<Socket> {
    let mut request = format!("ws://{}{path}", app.address).into_client_request()?;
    request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}"))?);
    // Nagle's algorithm off, as browsers and most WebSocket clients have it.
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, None, true).await.context("connecting a member")?;
    wait_for(&mut socket, "caughtUp").await?;
    Ok(socket)
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads until a frame of `kind` arrives.
async fn wait_for<S>(socket: &mut S, kind: &str) -> anyhow::Result<()>
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.context("no frame")?;
        if let Some(Ok(Message::Text(text))) = next {
            let frame: Value = serde_json::from_str(&text)?;
            if frame["type"] == kind {
                return Ok(());
            }
        } else if next.is_none() {
            bail!("the connection closed before {kind}");
        }
    }
}

/// The CPU time a process has used so far, user and system, in seconds (Linux;
/// 0 when unknown). Steadier than latency on a shared machine: what the server
/// spends per delivery does not depend on who else is running.
fn cpu_seconds(pid: u32) -> f64 {
    // Fields 14 and 15 of /proc/<pid>/stat, counted after the command's closing parenthesis.
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().and_then(|stat| {
        let fields: Vec<u64> = stat.rsplit_once(')')?.1.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
        Some(fields.get(11)? + fields.get(12)?)
    });
    ticks.map_or(0.0, |ticks| ticks as f64 / USER_HZ)
}

/// The unit of /proc's CPU times: fixed at 100 per second by the kernel's ABI.
const USER_HZ: f64 = 100.0;

/// The resident memory of a process in KiB (Linux), 0 when unknown.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}
