//! The OpenAPI document: one `OpenApiService` over every resource's `#[OpenApi]`
//! struct, served at `/openapi.json`, `/openapi.yaml` and as Swagger UI at `/docs`,
//! and printed by `chatroom openapi`. The document depends only on the types, so
//! [`crate::openapi_json`] builds it without any service.

use std::collections::HashMap;
use std::marker::PhantomData;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{MetaApi, Registry};
use poem_openapi::{ExtraHeader, OpenApi, OpenApiService};

use crate::endpoints::{HealthApi, ImagesApi, LiveApi, RoomsApi, UsersApi};
use crate::request::document_room_ids;

/// Every resource of the API, in the order of the document.
pub(crate) type Apis = (HealthApi, UsersApi, RoomsApi, ImagesApi, LiveApi);

const DESCRIPTION: &str = "\
The HTTP API of chatroom (聊天室), compatible with the seed API v1.0.0.

Every answer, success or failure, is the envelope \
`{\"err\": {\"Code\": <int>, \"Msg\": <string|object>, \"Notice\": <string|object>}}`: \
`Code` is 0 on success and a number of the error catalogue otherwise (1001 for E1001); \
`Msg` is a short reason or the result for a program, `Notice` the text for a person. \
Texts are in Simplified Chinese unless `Accept-Language` asks for English (`en…`); \
codes never change with the language. Statuses are real HTTP statuses, or 200 for \
everything when the server runs with `http.legacy_status_200`. Every response \
carries `X-Request-Id`.

Authenticated operations take `Authorization: Bearer <token>` (a bare token works too). \
The WebSocket routes (`/room/create`, `/room/enter`, `/room/reEnter`) and their frames \
are described in docs/websocket.md.";

/// The document of `T` without an instance of it: same metadata, no routes.
struct Shape<T>(PhantomData<T>);

impl<T: OpenApi> OpenApi for Shape<T> {
    fn meta() -> Vec<MetaApi> {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, _route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {}
}

/// `T` as served, with what poem-openapi cannot derive from the handlers added
/// to the document: the `roomId` twin of every [`crate::request::NamedRoom`].
pub(crate) struct Documented<T>(T);

impl<T: OpenApi> OpenApi for Documented<T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        document_room_ids(&mut apis);
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
    }
}

/// The service that serves `api` and describes it.
pub(crate) fn describe<T: OpenApi>(api: T, server_url: Option<&str>) -> OpenApiService<Documented<T>, ()> {
    let service = OpenApiService::new(Documented(api), "chatroom", env!("CARGO_PKG_VERSION"))
        .description(DESCRIPTION)
        .extra_response_header::<String, _>(
        ExtraHeader::new("X-Request-Id").description("The request's id, also in the server's log lines."),
    );
    match server_url {
        Some(url) => service.server(url),
        None => service,
    }
}

/// The OpenAPI document as JSON; the same for every call (stable ordering).
pub fn openapi_json() -> String {
    describe(Shape::<Apis>(PhantomData), None).spec()
}

/// The OpenAPI document as YAML.
pub fn openapi_yaml() -> String {
    describe(Shape::<Apis>(PhantomData), None).spec_yaml()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_deterministic_and_describes_the_envelope() {
        let json = openapi_json();
        assert_eq!(json, openapi_json());
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["info"]["title"], "chatroom");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(doc["info"]["description"].as_str().unwrap().contains("docs/websocket.md"));
        assert_eq!(doc["paths"]["/healthz"]["get"]["operationId"], "healthz");
        assert_eq!(doc["paths"]["/readyz"]["get"]["operationId"], "readyz");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("ErrorEnvelope"), "{:?}", schemas.keys());
    }

    #[test]
    fn every_operation_documents_the_failure_envelope_as_its_default_answer() {
        let doc: serde_json::Value = serde_json::from_str(&openapi_json()).unwrap();
        for (path, operations) in doc["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let default = &operation["responses"]["default"]["content"]["application/json; charset=utf-8"];
                assert_eq!(default["schema"]["$ref"], "#/components/schemas/ErrorEnvelope", "{method} {path}");
            }
        }
    }

    #[test]
    fn the_yaml_document_has_the_same_paths() {
        let yaml = openapi_yaml();
        assert!(yaml.contains("/healthz:") && yaml.contains("/readyz:"));
    }
}
