//! The composition root: every adapter is constructed here, once, and handed to the
//! services that need it as `Arc<dyn Port>`; the services go to the HTTP edge.

use std::sync::Arc;

use anyhow::Context;
use chatroom_api::{ApiConfig, ApiServices};
use chatroom_domain::account::{self, Mailer};
use chatroom_domain::{event, room};
use chatroom_infrastructure::images::FsImageStore;
use chatroom_infrastructure::live::{InProcessEventBus, InProcessPresence};
use chatroom_infrastructure::mail::{ConsoleMailer, ResponseMailer};
use chatroom_infrastructure::persistence::{
    Database, SeaOrmMembershipRepository, SeaOrmMessageStore, SeaOrmResetCodeStore, SeaOrmRoomRepository,
    SeaOrmSessionStore, SeaOrmThrottleStore, SeaOrmUserRepository,
};
use chatroom_infrastructure::security::{load_or_create_secret, Argon2PasswordHasher, JwtTokenCodec};
use chatroom_infrastructure::system::{RandomIdGenerator, SystemClock};
use poem::endpoint::BoxEndpoint;

use super::readiness::DatabaseReadiness;
use super::shutdown::Shutdown;
use crate::config::{Config, MailTransport};

/// Builds every adapter and service and returns the HTTP endpoint serving them.
///
/// `shutdown` is the hook for long-lived connections: once the api's WebSocket
/// sessions exist they receive it here and close with 1001 when it fires (W14).
pub(super) fn endpoint(
    config: &Config,
    database: &Database,
    _shutdown: &Shutdown,
) -> anyhow::Result<BoxEndpoint<'static>> {
    let secret = match &config.auth.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => load_or_create_secret(&config.data_dir)
            .with_context(|| format!("loading the JWT secret from {}", config.data_dir.display()))?,
    };
    let tokens = Arc::new(JwtTokenCodec::new(&secret, config.auth.issuer.clone()).context("building the JWT codec")?);
    let hasher = Arc::new(Argon2PasswordHasher::new().context("building the password hasher")?);
    let images = Arc::new(FsImageStore::new(&config.data_dir));
    let mailer: Arc<dyn Mailer> = match config.mail.transport {
        MailTransport::Console => Arc::new(ConsoleMailer::new()),
        MailTransport::Response => Arc::new(ResponseMailer::new()),
        // Refused by config validation until an SMTP adapter exists.
        MailTransport::Smtp => anyhow::bail!("mail.transport = \"smtp\" is not available in this build"),
    };
    let bus = Arc::new(InProcessEventBus::new());
    let presence = Arc::new(InProcessPresence::new());
    let clock = Arc::new(SystemClock::new());
    let ids = Arc::new(RandomIdGenerator::new());
    let rooms = Arc::new(SeaOrmRoomRepository::new(database));
    let memberships = Arc::new(SeaOrmMembershipRepository::new(database));

    let accounts = account::Service::new(
        account::Deps {
            users: Arc::new(SeaOrmUserRepository::new(database)),
            rooms: rooms.clone(),
            sessions: Arc::new(SeaOrmSessionStore::new(database)),
            reset_codes: Arc::new(SeaOrmResetCodeStore::new(database)),
            throttle: Arc::new(SeaOrmThrottleStore::new(database)),
            hasher,
            tokens,
            mailer,
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
            presence,
            images: images.clone(),
            clock: clock.clone(),
        },
        config.room_policy(),
    );
    let messages = event::Service::new(
        event::Deps {
            rooms,
            memberships,
            events: Arc::new(SeaOrmMessageStore::new(database)),
            images,
            bus,
            clock,
            ids,
        },
        config.message_policy(),
        config.images.max_bytes,
    );

    let services = ApiServices {
        accounts: Arc::new(accounts),
        rooms: Arc::new(room_service),
        messages: Arc::new(messages),
        readiness: Arc::new(DatabaseReadiness::new(database.clone())),
    };
    let api_config = ApiConfig {
        legacy_status_200: config.http.legacy_status_200,
        allowed_origins: config.http.allowed_origins.clone(),
        max_body_bytes: config.http.max_body_bytes,
        server_url: config.http.public_url.clone(),
    };
    Ok(chatroom_api::routes(services, api_config))
}
