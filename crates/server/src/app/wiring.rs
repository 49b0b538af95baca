//! The composition root: every adapter is constructed here, once, and handed to the
//! services that need it as `Arc<dyn Port>`; the services go to the HTTP edge, and
//! the writers behind them to the [`Application`](super::Application), which runs
//! and stops them.

use std::sync::Arc;

use anyhow::Context;
use chatroom_api::{ApiServices, Deliveries};
use chatroom_domain::account::{self, Housekeeper, HousekeepingDeps, Mailer};
use chatroom_domain::{live, message, room};
use chatroom_infrastructure::images::FsImageStore;
use chatroom_infrastructure::live::{InProcessEventBus, InProcessPresence};
use chatroom_infrastructure::mail::{ConsoleMailer, ResponseMailer, SmtpMailer, SmtpSettings};
use chatroom_infrastructure::persistence::{
    Database, SeaOrmMembershipRepository, SeaOrmMessageStore, SeaOrmResetCodeStore, SeaOrmRoomRepository,
    SeaOrmSessionStore, SeaOrmThrottleStore, SeaOrmUserRepository,
};
use chatroom_infrastructure::security::{load_or_create_secret, Argon2PasswordHasher, JwtTokenCodec};
use chatroom_infrastructure::system::{RandomIdGenerator, SystemClock, TokioBackground};
use poem::endpoint::BoxEndpoint;

use super::purges::Purges;
use super::readiness::DatabaseReadiness;
use super::shutdown::Shutdown;
use super::workers::Writers;
use crate::config::{Config, MailConfig, MailTransport};

/// Builds every adapter and service; returns the HTTP endpoint serving them and
/// the background tasks they need running.
///
/// The WebSocket sessions receive `shutdown` and close with 1001 when it fires
/// (W14).
pub(super) fn wire(
    config: &Config,
    database: &Database,
    shutdown: &Shutdown,
) -> anyhow::Result<(BoxEndpoint<'static>, Writers)> {
    let secret = match &config.auth.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => load_or_create_secret(&config.data_dir)
            .with_context(|| format!("loading the JWT secret from {}", config.data_dir.display()))?,
    };
    let tokens = Arc::new(JwtTokenCodec::new(&secret, config.auth.issuer.clone()).context("building the JWT codec")?);
    let hasher = Arc::new(Argon2PasswordHasher::new().context("building the password hasher")?);
    let images = Arc::new(FsImageStore::new(&config.data_dir));
    let mailer = mailer(&config.mail)?;
    let bus = Arc::new(InProcessEventBus::new());
    let presence = Arc::new(InProcessPresence::new());
    let clock = Arc::new(SystemClock::new());
    let ids = Arc::new(RandomIdGenerator::new());
    let rooms = Arc::new(SeaOrmRoomRepository::new(database));
    let memberships = Arc::new(SeaOrmMembershipRepository::new(database));
    let throttle = Arc::new(SeaOrmThrottleStore::new(database));
    let sessions = Arc::new(SeaOrmSessionStore::new(database));
    let reset_codes = Arc::new(SeaOrmResetCodeStore::new(database));
    let mails = Arc::new(TokioBackground::new());

    let housekeeping = Housekeeper::new(
        HousekeepingDeps {
            sessions: sessions.clone(),
            reset_codes: reset_codes.clone(),
            throttle: throttle.clone(),
            clock: clock.clone(),
        },
        config.housekeeping_policy(),
    );
    let purges = Purges { housekeeping: Arc::new(housekeeping), interval: config.auth.purge_interval };
    let accounts = account::Service::new(
        account::Deps {
            users: Arc::new(SeaOrmUserRepository::new(database)),
            rooms: rooms.clone(),
            sessions,
            reset_codes,
            throttle: throttle.clone(),
            hasher,
            tokens,
            mailer,
            background: mails.clone(),
            bus: bus.clone(),
            clock: clock.clone(),
            ids: ids.clone(),
        },
        config.account_policy(),
    );
    let room_service = room::Service::new(
        room::Deps {
            rooms: rooms.clone(),
            memberships: memberships.clone(),
            bus: bus.clone(),
            presence: presence.clone(),
            images: images.clone(),
            clock: clock.clone(),
            ids: ids.clone(),
        },
        config.room_policy(),
    );
    let (events, appends) = SeaOrmMessageStore::new(database);
    let events = Arc::new(events);
    let live = live::Service::new(
        live::Deps {
            rooms: rooms.clone(),
            events: events.clone(),
            memberships: memberships.clone(),
            presence: presence.clone(),
            bus: bus.clone(),
            feed: bus.clone(),
        },
        config.live_policy(),
    );
    let messages = message::Service::new(
        message::Deps { rooms, memberships, events, images, bus, clock, ids, throttle },
        config.message_policy(),
        config.images.max_bytes,
    );

    let live = Arc::new(live);
    let (deliveries, marks) = Deliveries::new(live.clone());

    let services = ApiServices {
        accounts: Arc::new(accounts),
        rooms: Arc::new(room_service),
        messages: Arc::new(messages),
        live,
        readiness: Arc::new(DatabaseReadiness::new(database.clone())),
        shutdown: shutdown.subscribe(),
        deliveries,
    };
    let endpoint = chatroom_api::routes(services, config.api_config());
    Ok((endpoint, Writers { marks, appends, purges, mails }))
}

/// The transport of `mail.transport`, announced in the log so an operator sees
/// where reset codes go (SPEC §9; the `response` transport is the insecure one).
fn mailer(mail: &MailConfig) -> anyhow::Result<Arc<dyn Mailer>> {
    Ok(match mail.transport {
        MailTransport::Console => {
            tracing::info!(target: "chatroom::mail", "mail.transport = console: password reset codes are written to this log");
            Arc::new(ConsoleMailer::new())
        }
        MailTransport::Response => {
            tracing::warn!(
                target: "chatroom::mail",
                "mail.transport = response: password reset codes are returned in the HTTP answer, so anyone who \
                 knows an account's email can reset its password; this is insecure and for demos only"
            );
            Arc::new(ResponseMailer::new())
        }
        MailTransport::Smtp => {
            let smtp = &mail.smtp;
            let settings = SmtpSettings {
                host: smtp.host.clone().unwrap_or_default(),
                port: smtp.port,
                tls: smtp.tls,
                username: smtp.username.clone(),
                password: smtp.password.as_ref().map(|password| password.expose().to_owned()),
                from: smtp.from.clone().unwrap_or_default(),
                timeout: smtp.timeout,
            };
            tracing::info!(
                target: "chatroom::mail",
                host = %settings.host,
                port = settings.port,
                tls = ?settings.tls,
                from = %settings.from,
                "mail.transport = smtp: password reset codes are mailed"
            );
            Arc::new(SmtpMailer::new(settings).context("building the SMTP mailer (mail.smtp)")?)
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chatroom_domain::account::Delivery;
    use chatroom_domain::user::Email;
    use chatroom_tests::smtp::SmtpReceiver;

    use super::*;

    #[tokio::test]
    async fn the_smtp_transport_is_built_from_mail_smtp_and_delivers() {
        let receiver = SmtpReceiver::start().await;
        let mut mail = MailConfig { transport: MailTransport::Smtp, ..MailConfig::default() };
        mail.smtp.host = Some("127.0.0.1".into());
        mail.smtp.port = receiver.port();
        mail.smtp.tls = chatroom_infrastructure::mail::SmtpTls::None;
        mail.smtp.from = Some("chatroom <no-reply@example.com>".into());

        let mailer = mailer(&mail).unwrap();
        let to = Email::parse("a@qq.com").unwrap();
        mailer.send_reset_code(&to, "483920", Duration::from_secs(600)).await.unwrap();

        assert_eq!(mailer.delivery(), Delivery::Sent);
        let received = receiver.next_mail(Duration::from_secs(10)).await.unwrap();
        assert_eq!(
            (received.from.as_str(), received.to.as_slice()),
            ("no-reply@example.com", ["a@qq.com".to_owned()].as_slice())
        );
        assert!(received.text().contains("483920"));
    }
}
