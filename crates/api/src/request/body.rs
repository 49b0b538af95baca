//! [`Body`]: an operation's body, read from JSON, a urlencoded form or a
//! multipart form alike (SPEC §4 "Bodies"; the seed's clients send forms).
//!
//! All three are turned into one JSON object of fields and deserialized into the
//! operation's type, so an operation declares its fields once. A missing body is
//! an empty object: the domain then names the first missing field (E1001), as it
//! does for an empty string. A field that cannot be read (an object where a
//! string belongs) is E1001 naming that field; a content type other than the
//! three is E1006.

use poem::web::Multipart;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::catalogue::{Entry, Failure};

/// The three content types every body may come in.
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// A request body of type `T`: a `#[derive(Object, Deserialize)]` struct, whose
/// schema the document shows for each content type.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<'a, T: Type + DeserializeOwned + Send> ApiExtractor<'a> for Body<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        let content = [JSON, FORM, MULTIPART]
            .into_iter()
            .map(|content_type| MetaMediaType { content_type, schema: T::schema_ref() })
            .collect();
        Some(MetaRequest {
            description: Some(
                "The same fields as JSON, as a urlencoded form or as a multipart form; numbers and booleans \
                 are accepted where a string is expected.",
            ),
            content,
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let fields = read_fields(request, body).await?;
        let parsed = serde_path_to_error::deserialize(Value::Object(fields)).map_err(|e| {
            let field = e.path().to_string();
            let field = (field != ".").then_some(field);
            Failure::malformed(field.as_deref(), Some(&e.inner().to_string()))
        })?;
        Ok(Self(parsed))
    }
}

/// The body's fields as a JSON object, whatever the content type.
async fn read_fields(request: &Request, body: &mut RequestBody) -> Result<Map<String, Value>, Failure> {
    let content_type = request.content_type().map(essence);
    match content_type.as_deref() {
        Some(JSON) => json_fields(&bytes(body).await?),
        Some(FORM) => form_fields(&bytes(body).await?),
        Some(MULTIPART) => multipart_fields(request, body).await,
        Some(t) if t.ends_with("+json") => json_fields(&bytes(body).await?),
        Some(_) => Err(Failure::new(Entry::E1006UnsupportedContentType)),
        // No content type: fine for an empty body, which has no fields.
        None if bytes(body).await?.is_empty() => Ok(Map::new()),
        None => Err(Failure::new(Entry::E1006UnsupportedContentType)),
    }
}

/// `application/json; charset=utf-8` → `application/json`.
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

async fn bytes(body: &mut RequestBody) -> Result<Vec<u8>, Failure> {
    body.take()
        .map_err(|e| Failure::from_error(&e.into()))?
        .into_vec()
        .await
        .map_err(|e| Failure::from_error(&e.into()))
}

fn json_fields(bytes: &[u8]) -> Result<Map<String, Value>, Failure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(Failure::malformed(None, Some("the body must be a JSON object"))),
        Err(e) => Err(Failure::malformed(None, Some(&e.to_string()))),
    }
}

/// A repeated key keeps its last value, as most form parsers do.
fn form_fields(bytes: &[u8]) -> Result<Map<String, Value>, Failure> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|e| Failure::malformed(None, Some(&e.to_string())))?;
    Ok(pairs.into_iter().map(|(key, value)| (key, Value::String(value))).collect())
}

/// The text parts of a multipart form; file parts have no place in these bodies
/// and are refused.
async fn multipart_fields(request: &Request, body: &mut RequestBody) -> Result<Map<String, Value>, Failure> {
    let mut multipart =
        <Multipart as FromRequest>::from_request(request, body).await.map_err(|e| Failure::from_error(&e))?;
    let mut fields = Map::new();
    loop {
        let field = multipart.next_field().await.map_err(|e| Failure::from_error(&e.into()))?;
        let Some(field) = field else { return Ok(fields) };
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            return Err(Failure::malformed(Some(&name), Some("a file is not accepted here")));
        }
        let value = field.text().await.map_err(|e| Failure::malformed(Some(&name), Some(&e.to_string())))?;
        fields.insert(name, Value::String(value));
    }
}
