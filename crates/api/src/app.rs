//! The whole HTTP application: the API, health probes, documentation routes and
//! fallbacks, inside the middleware of [`crate::layers`].

use std::sync::Arc;

use chatroom_domain::account::AccountService;
use chatroom_domain::live::LiveService;
use chatroom_domain::message::MessageService;
use chatroom_domain::room::RoomService;
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderName, Method};
use poem::{get, Endpoint, EndpointExt, Route};
use tokio::sync::watch;

use crate::catalogue::Entry;
use crate::docs::{describe, Apis};
use crate::endpoints::{HealthApi, ImagesApi, LiveApi, LiveOptions, RoomsApi, UsersApi, SEND_IMG_PATH};
use crate::health::Readiness;
use crate::layers::{AccessLog, AllowedOrigins, BodyLimit, Detached, Envelopes, MethodTable, RequestIds};
use crate::live::{Deliveries, WsSettings};
use crate::request::ClientIpSource;

#[cfg(test)]
mod tests;

/// The services the endpoints call.
#[derive(Clone)]
pub struct ApiServices {
    /// Registration, login, sessions, password resets; also authenticates callers.
    pub accounts: Arc<dyn AccountService>,
    /// Rooms and memberships.
    pub rooms: Arc<dyn RoomService>,
    /// Messages, images and history.
    pub messages: Arc<dyn MessageService>,
    /// Live WebSocket connections: replay, presence, the room's feed.
    pub live: Arc<dyn LiveService>,
    /// Turns `true` when the server stops; WebSocket sessions then close with 1001.
    pub shutdown: watch::Receiver<bool>,
    /// Where WebSocket sessions report how far each member has read; the
    /// caller runs its [`crate::MarksWriter`].
    pub deliveries: Deliveries,
    /// Whether the node's dependencies are reachable (`/readyz`).
    pub readiness: Arc<dyn Readiness>,
}

/// How the HTTP edge behaves (the `http` section of the server's config).
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Answer every request with HTTP 200, as the seed's server did; the envelope
    /// still carries the catalogue `Code` (SPEC §4).
    pub legacy_status_200: bool,
    /// Origins allowed by CORS, e.g. `https://chat.example.com`; none by default.
    pub allowed_origins: Vec<String>,
    /// The largest request body accepted (E1007 above it); 64 KiB by default.
    pub max_body_bytes: usize,
    /// The largest image of `POST /room/sendImg` (`images.max_bytes`, 5 MiB by
    /// default). That route's body may carry `max_body_bytes` more for the
    /// multipart framing and the room fields; above that it is E1302, not E1007.
    pub max_image_bytes: usize,
    /// The public base URL named in the OpenAPI document's `servers`, if any.
    pub server_url: Option<String>,
    /// The header a reverse proxy puts the client's address in (its last
    /// address is used); `None`: the connection's peer. See
    /// [`crate::request::ClientIpSource`].
    pub client_ip_header: Option<HeaderName>,
    /// WebSocket sessions: pings, idle timeout, frame limit, outbound queue.
    pub ws: WsSettings,
}

/// The body limit of SPEC §4.
const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// The image limit of SPEC §4 (`images.max_bytes`).
const DEFAULT_MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            legacy_status_200: false,
            allowed_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_image_bytes: DEFAULT_MAX_IMAGE_BYTES,
            server_url: None,
            client_ip_header: None,
            ws: WsSettings::default(),
        }
    }
}

/// Everything the server serves over HTTP: the API, `/healthz`, `/readyz`,
/// `/docs`, `/openapi.json`, `/openapi.yaml`, and the envelope for every other
/// request (unknown routes, wrong methods, bad bodies), inside the middleware.
pub fn routes(services: ApiServices, config: ApiConfig) -> BoxEndpoint<'static> {
    let accounts = Arc::clone(&services.accounts);
    let apis: Apis = (
        HealthApi::new(services.readiness),
        UsersApi::new(Arc::clone(&services.accounts), ClientIpSource::new(config.client_ip_header.clone())),
        RoomsApi::new(Arc::clone(&services.rooms), Arc::clone(&services.messages)),
        ImagesApi::new(Arc::clone(&services.messages)),
        LiveApi::new(
            Arc::clone(&services.accounts),
            services.rooms,
            services.messages,
            services.live,
            LiveOptions {
                settings: config.ws.clone(),
                allowed_origins: config.allowed_origins.clone(),
                shutdown: services.shutdown,
                deliveries: services.deliveries,
            },
        ),
    );
    let api = describe(apis, config.server_url.as_deref());
    let app = Route::new()
        .at("/openapi.json", get(api.spec_endpoint()))
        .at("/openapi.yaml", get(api.spec_endpoint_yaml()))
        .nest("/docs", get(api.swagger_ui()))
        .nest("/", api)
        // What `Caller` and `LiveCaller` authenticate with.
        .data(accounts);
    let mut methods = MethodTable::new();
    methods.add_api::<Apis>();
    for path in ["/openapi.json", "/openapi.yaml", "/docs", "/docs/oauth-receiver.html"] {
        methods.add(path, &Method::GET);
    }
    with_layers(app, &config, methods)
}

/// Wraps `app` in the middleware of [`crate::layers`], outermost first: request
/// ids, access log, envelopes, CORS (only with `allowed_origins`), body limit
/// (the image limit for `/room/sendImg`), and each handler on its own task.
pub(crate) fn with_layers(
    app: impl Endpoint + 'static,
    config: &ApiConfig,
    methods: MethodTable,
) -> BoxEndpoint<'static> {
    let image_body = config.max_image_bytes.saturating_add(config.max_body_bytes);
    let limit = BodyLimit::new(config.max_body_bytes).with_route(SEND_IMG_PATH, image_body, Entry::E1302ImageTooLarge);
    let limited = app.with(Detached).with(limit);
    let guarded = if config.allowed_origins.is_empty() {
        limited.boxed()
    } else {
        limited.with(AllowedOrigins::new(config.allowed_origins.clone())).boxed()
    };
    guarded.with(Envelopes::new(config.legacy_status_200, methods)).with(AccessLog).with(RequestIds).boxed()
}
