//! The numbers of SPEC §7 a session runs with.

use std::time::Duration;

/// The numbers of SPEC §7 a session runs with (the server's `ws` section).
#[derive(Clone, Debug)]
pub struct WsSettings {
    /// W11: how often the server pings (25 s).
    pub ping_interval: Duration,
    /// W11: a connection silent this long is closed (75 s).
    pub idle_timeout: Duration,
    /// W14: the largest frame accepted (16 KiB); larger ones close with 1009.
    pub max_frame_bytes: usize,
    /// W12: the outbound queue, in frames and in bytes.
    pub outbound_queue_frames: usize,
    pub outbound_queue_bytes: usize,
    /// W10: frames per second a connection may send, and the burst above it.
    pub flood_rate: f64,
    pub flood_burst: u32,
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(75),
            max_frame_bytes: 16 * 1024,
            outbound_queue_frames: 256,
            outbound_queue_bytes: 1024 * 1024,
            flood_rate: 10.0,
            flood_burst: 20,
        }
    }
}
