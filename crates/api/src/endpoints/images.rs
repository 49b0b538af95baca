//! (ext) `GET /images/{id}`: the bytes of an image posted with `POST /room/sendImg`.
//! Public, because the id is 128 random bits nobody can guess (S6); the content type
//! comes from the stored bytes' magic numbers, never from what the uploader said,
//! and `X-Content-Type-Options: nosniff` keeps browsers from second-guessing it.
//! An image never changes under its id, so it may be cached for a year. The bytes
//! are streamed from the store as they are read, with their `Content-Length`, so
//! no image is ever held whole in memory (S10).

use std::sync::Arc;

use chatroom_domain::ids::ImageId;
use chatroom_domain::message::{Image, MessageService};
use chatroom_domain::timeline::ImageType;
use futures_util::{stream, StreamExt};
use poem::http::{header, HeaderValue};
use poem::{Body, IntoResponse, Response};
use poem_openapi::param::Path;
use poem_openapi::registry::{
    MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use crate::catalogue::{Entry, Failure, Refusals};
use crate::envelope::ErrorEnvelope;
use crate::reply::Reply;

/// An image is immutable under its id (S6).
const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The formats of S6, in the order the document lists them.
const IMAGE_TYPES: [ImageType; 4] = [ImageType::Png, ImageType::Jpeg, ImageType::Gif, ImageType::Webp];

/// What `GET /images/{id}` can be refused with besides E5000: an unknown or
/// malformed id (E1304).
pub struct UnknownImage;

impl Refusals for UnknownImage {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1304ImageNotFound]
    }
}

/// An image's bytes, answered with their content type and cache headers.
#[derive(Debug)]
pub struct ImageFile(Image);

impl IntoResponse for ImageFile {
    fn into_response(self) -> Response {
        let Image { image_type, len, head, rest } = self.0;
        // The first bytes were read to tell the type; the rest follows as read.
        // A read that fails midway ends the connection: the length promised more.
        let rest = stream::try_unfold(rest, |mut chunks| async move {
            let chunk = chunks.next_chunk().await.map_err(|e| std::io::Error::other(format!("{e:#}")))?;
            Ok::<_, std::io::Error>(chunk.map(|chunk| (chunk, chunks)))
        });
        let body = stream::iter((!head.is_empty()).then_some(Ok(head))).chain(rest);
        Response::builder()
            .header(header::CONTENT_TYPE, image_type.mime())
            .header(header::CONTENT_LENGTH, len)
            .header(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
            .header(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL))
            .body(Body::from_bytes_stream(body))
    }
}

fn string_header(name: &str, description: &str) -> MetaHeader {
    MetaHeader {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required: true,
        deprecated: false,
        schema: String::schema_ref(),
    }
}

impl ApiResponse for ImageFile {
    fn meta() -> MetaResponses {
        let binary = MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary")));
        let found = MetaResponse {
            description: "The image's bytes, with the content type of its magic bytes (S6).",
            status: Some(200),
            status_range: None,
            content: IMAGE_TYPES
                .iter()
                .map(|t| MetaMediaType { content_type: t.mime(), schema: binary.clone() })
                .collect(),
            headers: vec![
                string_header("X-Content-Type-Options", "`nosniff`: the content type is the server's, not a guess."),
                string_header("Cache-Control", "`public, max-age=31536000, immutable`: an id never changes its image."),
            ],
        };
        // The refusals are documented as every operation's are; only the success differs.
        let mut responses = Reply::<String, String, UnknownImage>::meta().responses;
        responses.retain(|response| response.status != Some(200));
        responses.insert(0, found);
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        ErrorEnvelope::register(registry);
    }
}

/// The public image route.
pub struct ImagesApi {
    messages: Arc<dyn MessageService>,
}

impl ImagesApi {
    /// Serves the images posted through `messages`.
    pub fn new(messages: Arc<dyn MessageService>) -> Self {
        Self { messages }
    }
}

#[OpenApi(tag = "ApiTags::Images")]
impl ImagesApi {
    /// An image posted in a room (ext).
    ///
    /// Public: the id is 128 random bits (32 lower-case hex digits), found in the
    /// `url` of the image frame and of `POST /room/sendImg`. Answers the bytes with
    /// the content type of their magic bytes (`image/png`, `image/jpeg`,
    /// `image/gif` or `image/webp`), `X-Content-Type-Options: nosniff` and
    /// `Cache-Control: public, max-age=31536000, immutable`. An unknown or
    /// malformed id, or an image of a dissolved room, is E1304 in the envelope.
    #[oai(path = "/images/:id", method = "get", operation_id = "image")]
    async fn image(
        &self,
        /// The image's id.
        id: Path<String>,
    ) -> Result<ImageFile, Failure> {
        let not_found = || Failure::new(Entry::E1304ImageNotFound);
        let id = ImageId::parse(&id.0).ok_or_else(not_found)?;
        let image = self.messages.image(&id).await.map_err(|e| Failure::unexpected(&e))?.ok_or_else(not_found)?;
        Ok(ImageFile(image))
    }
}
