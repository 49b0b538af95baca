//! Storage of image bytes (S6). Files under the data directory by default; the
//! `ImageStore` port leaves room for object storage later.

mod file_system;

pub use file_system::{FsImageStore, IMAGES_DIR_NAME};
