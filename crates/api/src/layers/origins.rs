//! CORS with an allow-list (SPEC §8 S5): requests from a listed origin get CORS
//! headers and their preflights are answered; requests from any other origin pass
//! through without CORS headers, so browsers keep them from reading the answer
//! while non-browser clients are unaffected. poem's `Cors` alone would refuse
//! those requests outright, same-origin POSTs from `/docs` included.

use std::sync::Arc;

use poem::http::{header, Method};
use poem::middleware::{Cors, CorsEndpoint};
use poem::{Endpoint, EndpointExt, Middleware, Request, Response, Result};

use crate::layers::REQUEST_ID_HEADER;

/// CORS for a list of origins (see the module doc).
pub struct AllowedOrigins {
    origins: Vec<String>,
}

impl AllowedOrigins {
    /// CORS for exactly these origins (`https://chat.example.com`).
    pub fn new(origins: Vec<String>) -> Self {
        Self { origins }
    }
}

impl<E: Endpoint + 'static> Middleware<E> for AllowedOrigins {
    type Output = AllowedOriginsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        let inner = Arc::new(inner);
        let cors = Cors::new()
            .allow_origins(self.origins.iter().map(String::as_str))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT_LANGUAGE])
            .allow_header(REQUEST_ID_HEADER)
            .expose_headers([header::RETRY_AFTER, header::ALLOW])
            .expose_header(REQUEST_ID_HEADER)
            .max_age(600);
        AllowedOriginsEndpoint { cors: Arc::clone(&inner).with(cors), inner, origins: self.origins.clone() }
    }
}

/// The endpoint made by [`AllowedOrigins`].
pub struct AllowedOriginsEndpoint<E> {
    inner: Arc<E>,
    cors: CorsEndpoint<Arc<E>>,
    origins: Vec<String>,
}

impl<E: Endpoint> Endpoint for AllowedOriginsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let listed = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .is_some_and(|origin| self.origins.iter().any(|allowed| allowed == origin));
        if listed {
            self.cors.call(req).await
        } else {
            Ok(self.inner.get_response(req).await)
        }
    }
}
