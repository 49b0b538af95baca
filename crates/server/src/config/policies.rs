//! The one place where configuration becomes the domain's policies and the HTTP
//! edge's settings; every other tunable of a policy keeps the domain's default
//! (the numbers of SPEC §8). The sections of the configuration say what an
//! operator may set; the types they map to are the only other definition of
//! each setting, and the tests below keep the two sets of defaults equal.

use chatroom_api::{ApiConfig, WsSettings};
use chatroom_domain::account::{AccountPolicy, HousekeepingPolicy};
use chatroom_domain::live::LivePolicy;
use chatroom_domain::message::MessagePolicy;
use chatroom_domain::room::RoomPolicy;
use poem::http::HeaderName;

use super::sections::Config;

impl Config {
    /// S1–S4 as configured.
    pub fn account_policy(&self) -> AccountPolicy {
        let auth = &self.auth;
        AccountPolicy {
            min_password_length: auth.min_password_length,
            token_ttl: auth.token_ttl,
            reset_code_length: auth.reset_code_length,
            reset_code_ttl: auth.reset_code_ttl,
            max_code_attempts: auth.reset_code_max_attempts,
            reset_requests_per_email: auth.reset_requests_per_email,
            reset_email_window: auth.reset_email_window,
            reset_requests_per_ip: auth.reset_requests_per_ip,
            reset_ip_window: auth.reset_ip_window,
            reset_lockout: auth.reset_lockout,
            login_failures_per_user: auth.login_failures_per_user,
            login_failures_per_ip: auth.login_failures_per_ip,
            login_window: auth.login_window,
            login_lockout: auth.login_lockout,
            registrations_per_ip: auth.registrations_per_ip_per_hour,
            ..AccountPolicy::default()
        }
    }

    /// S10: throttle rows are kept for the longest window any limit counts in.
    pub fn housekeeping_policy(&self) -> HousekeepingPolicy {
        let longest = self.account_policy().longest_throttle_window().max(self.message_policy().upload_window);
        HousekeepingPolicy { throttle_window: longest }
    }

    /// W2 replay sizes as configured.
    pub fn live_policy(&self) -> LivePolicy {
        LivePolicy { history_on_join: self.messages.history_on_join, replay_limit: self.messages.replay_limit }
    }

    /// R4, R14 and room search as configured.
    pub fn room_policy(&self) -> RoomPolicy {
        RoomPolicy {
            max_capacity: self.rooms.max_capacity,
            kick_cooldown: self.rooms.kick_cooldown,
            ..RoomPolicy::default()
        }
    }

    /// W9 and D3 as configured.
    pub fn message_policy(&self) -> MessagePolicy {
        MessagePolicy {
            max_chars: self.messages.max_chars,
            uploads_per_user: self.images.per_minute,
            ..MessagePolicy::default()
        }
    }

    /// The `http` section, the image limit and the WebSocket settings.
    pub fn api_config(&self) -> ApiConfig {
        let http = &self.http;
        ApiConfig {
            legacy_status_200: http.legacy_status_200,
            allowed_origins: http.allowed_origins.clone(),
            max_body_bytes: http.max_body_bytes,
            max_image_bytes: self.images.max_bytes,
            server_url: http.public_url.clone(),
            // Checked by config validation.
            client_ip_header: http.client_ip_header.as_deref().and_then(|h| HeaderName::try_from(h.trim()).ok()),
            ws: self.ws_settings(),
        }
    }

    /// W10–W12 and W14 as configured.
    fn ws_settings(&self) -> WsSettings {
        let ws = &self.ws;
        WsSettings {
            ping_interval: ws.ping_interval,
            idle_timeout: ws.idle_timeout,
            max_frame_bytes: ws.max_frame_bytes,
            outbound_queue_frames: ws.outbound_queue_frames,
            outbound_queue_bytes: ws.outbound_queue_bytes,
            flood_rate: ws.flood_rate,
            flood_burst: ws.flood_burst,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn configured_values_reach_the_policies() {
        let mut config = Config::default();
        config.auth.min_password_length = 3;
        config.auth.token_ttl = Duration::from_secs(60);
        config.auth.reset_code_ttl = Duration::from_secs(2);
        config.auth.login_lockout = Duration::from_secs(3);
        config.rooms.max_capacity = 7;
        config.rooms.kick_cooldown = Duration::ZERO;
        config.messages.max_chars = 10;
        config.messages.replay_limit = 4;
        config.images.max_bytes = 5;
        config.ws.max_frame_bytes = 6;
        config.http.client_ip_header = Some(" X-Real-IP ".to_owned());
        assert_eq!(config.account_policy().min_password_length, 3);
        assert_eq!(config.account_policy().token_ttl, Duration::from_secs(60));
        assert_eq!(config.account_policy().reset_code_ttl, Duration::from_secs(2));
        assert_eq!(config.account_policy().login_lockout, Duration::from_secs(3));
        assert_eq!(config.room_policy().max_capacity, 7);
        assert_eq!(config.room_policy().kick_cooldown, Duration::ZERO);
        assert_eq!(config.message_policy().max_chars, 10);
        assert_eq!(config.live_policy().replay_limit, 4);
        let api = config.api_config();
        assert_eq!((api.max_image_bytes, api.ws.max_frame_bytes), (5, 6));
        assert_eq!(api.client_ip_header, Some(HeaderName::from_static("x-real-ip")));
    }

    #[test]
    fn s10_throttle_rows_are_kept_for_the_longest_configured_window() {
        let mut config = Config::default();
        assert_eq!(config.housekeeping_policy().throttle_window, Duration::from_secs(3600));
        config.auth.login_window = Duration::from_secs(7200);
        assert_eq!(config.housekeeping_policy().throttle_window, Duration::from_secs(7200));
    }

    #[test]
    fn the_default_config_gives_the_domain_and_api_defaults() {
        let config = Config::default();
        assert_eq!(config.account_policy(), AccountPolicy::default());
        assert_eq!(config.room_policy(), RoomPolicy::default());
        assert_eq!(config.message_policy(), MessagePolicy::default());
        assert_eq!(config.live_policy(), LivePolicy::default());
        // The api's settings compare by their `Debug` form: they have no `PartialEq`.
        assert_eq!(format!("{:?}", config.api_config()), format!("{:?}", ApiConfig::default()));
    }
}
