//! Storage of image bytes (S6): files under the data directory. Behind the
//! `ImageStore` port, so another store (object storage) needs no other change.

mod file_system;

pub use file_system::FsImageStore;
