//! The one place where configuration becomes the domain's policies; every other
//! tunable of a policy keeps the domain's default (the numbers of SPEC §8).

use chatroom_domain::account::AccountPolicy;
use chatroom_domain::live::LivePolicy;
use chatroom_domain::message::MessagePolicy;
use chatroom_domain::room::RoomPolicy;

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
        }
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
        MessagePolicy { max_chars: self.messages.max_chars, ..MessagePolicy::default() }
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
        assert_eq!(config.account_policy().min_password_length, 3);
        assert_eq!(config.account_policy().token_ttl, Duration::from_secs(60));
        assert_eq!(config.account_policy().reset_code_ttl, Duration::from_secs(2));
        assert_eq!(config.account_policy().login_lockout, Duration::from_secs(3));
        assert_eq!(config.room_policy().max_capacity, 7);
        assert_eq!(config.room_policy().kick_cooldown, Duration::ZERO);
        assert_eq!(config.message_policy().max_chars, 10);
    }

    #[test]
    fn the_default_config_gives_the_domain_defaults() {
        let config = Config::default();
        assert_eq!(config.account_policy(), AccountPolicy::default());
        assert_eq!(config.room_policy(), RoomPolicy::default());
        assert_eq!(config.message_policy(), MessagePolicy::default());
    }
}
