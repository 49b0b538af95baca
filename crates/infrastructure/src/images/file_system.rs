//! [`FsImageStore`]: images as files under `<data_dir>/images/<first 2 hex>/<id>`.
//! Ids are validated [`ImageId`]s (32 lower-case hex digits), so no client text
//! ever becomes part of a path (S6). The two-digit fan-out keeps directories small.
//! Reads are streamed in pieces of [`CHUNK_BYTES`] (S10).

use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use async_trait::async_trait;
use chatroom_domain::ids::ImageId;
use chatroom_domain::timeline::{ImageChunks, ImageStore, StoredImage};
use tokio::io::AsyncReadExt as _;

/// The sub-directory of the data directory that holds the images.
const IMAGES_DIR_NAME: &str = "images";

/// The most bytes one piece of a streamed image holds.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Images stored as files.
#[derive(Debug, Clone)]
pub struct FsImageStore {
    root: PathBuf,
}

impl FsImageStore {
    /// A store under `data_dir/images`; directories are created on the first save.
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join(IMAGES_DIR_NAME) }
    }

    fn path_of(&self, id: &ImageId) -> PathBuf {
        let id = id.as_str();
        self.root.join(id.get(..2).unwrap_or(id)).join(id)
    }
}

/// Writes a temporary file next to `path` and renames it into place, so a reader
/// sees the whole image or none of it, also after a crash.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("an image path always has a parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    file.write_all(bytes).and_then(|()| file.as_file().sync_all()).context("writing the image")?;
    file.persist(path).map_err(|e| e.error).with_context(|| format!("renaming the image to {}", path.display()))?;
    // Make the rename itself durable.
    #[cfg(unix)]
    std::fs::File::open(dir).and_then(|d| d.sync_all()).with_context(|| format!("syncing {}", dir.display()))?;
    Ok(())
}

#[async_trait]
impl ImageStore for FsImageStore {
    async fn save(&self, id: &ImageId, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path_of(id);
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .context("image writing task failed")?
    }

    async fn open(&self, id: &ImageId) -> anyhow::Result<Option<StoredImage>> {
        let path = self.path_of(id);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
        };
        // An image file is never written in place (see `write_atomically`), so
        // the length of the opened file is the length of what will be read.
        let len = file.metadata().await.with_context(|| format!("reading the length of {}", path.display()))?.len();
        Ok(Some(StoredImage { len, chunks: Box::new(FileChunks { file, path }) }))
    }

    async fn delete(&self, ids: &[ImageId]) -> anyhow::Result<()> {
        for id in ids {
            let path = self.path_of(id);
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("deleting {}", path.display())),
            }
        }
        Ok(())
    }
}

/// An opened image file, read a piece at a time.
struct FileChunks {
    file: tokio::fs::File,
    path: PathBuf,
}

#[async_trait]
impl ImageChunks for FileChunks {
    async fn next_chunk(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        let read = (&mut self.file)
            .take(CHUNK_BYTES as u64)
            .read_to_end(&mut chunk)
            .await
            .with_context(|| format!("reading {}", self.path.display()))?;
        Ok((read > 0).then_some(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "ab0123456789abcdef0123456789abcd";

    fn id(raw: &str) -> ImageId {
        ImageId::parse(raw).unwrap()
    }

    /// Every byte the store hands out for `id`, checked against the length it
    /// announced.
    async fn load(store: &FsImageStore, id: &ImageId) -> Option<Vec<u8>> {
        let StoredImage { len, mut chunks } = store.open(id).await.unwrap()?;
        let mut bytes = Vec::new();
        while let Some(chunk) = chunks.next_chunk().await.unwrap() {
            bytes.extend(chunk);
        }
        assert_eq!(len, bytes.len() as u64, "the announced length");
        Some(bytes)
    }

    #[tokio::test]
    async fn s10_an_image_is_handed_out_as_a_stream_of_bounded_pieces_with_its_length() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());
        let bytes: Vec<u8> = (0..5 * 1024 * 1024 + 3).map(|i: u32| (i % 251) as u8).collect();
        store.save(&id(ID), &bytes).await.unwrap();

        let StoredImage { len, mut chunks } = store.open(&id(ID)).await.unwrap().unwrap();

        assert_eq!(len, bytes.len() as u64);
        let mut read = Vec::new();
        let mut pieces = 0;
        while let Some(chunk) = chunks.next_chunk().await.unwrap() {
            assert!(!chunk.is_empty() && chunk.len() <= CHUNK_BYTES, "a piece of {} bytes", chunk.len());
            read.extend(chunk);
            pieces += 1;
        }
        assert!(pieces > 1, "the file came in one piece");
        assert!(read == bytes, "the streamed bytes differ from the stored ones");
        assert!(chunks.next_chunk().await.unwrap().is_none(), "the stream stays ended");
    }

    #[tokio::test]
    async fn s6_an_image_is_stored_under_its_id_in_a_two_digit_directory() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());

        store.save(&id(ID), b"\x89PNG bytes").await.unwrap();

        let path = data.path().join("images").join("ab").join(ID);
        assert_eq!(std::fs::read(path).unwrap(), b"\x89PNG bytes");
        assert_eq!(load(&store, &id(ID)).await, Some(b"\x89PNG bytes".to_vec()));
    }

    #[tokio::test]
    async fn a_save_leaves_no_temporary_file_behind() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());

        store.save(&id(ID), b"first").await.unwrap();
        store.save(&id(ID), b"second").await.unwrap();

        let names: Vec<_> =
            std::fs::read_dir(data.path().join("images/ab")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from(ID)]);
        assert_eq!(load(&store, &id(ID)).await, Some(b"second".to_vec()));
    }

    #[tokio::test]
    async fn loading_an_unknown_image_gives_none() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());
        assert_eq!(load(&store, &id(ID)).await, None);
    }

    #[tokio::test]
    async fn deleting_removes_the_images_and_ignores_unknown_ids() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());
        let other = id("cd0123456789abcdef0123456789abcd");
        store.save(&id(ID), b"one").await.unwrap();
        store.save(&other, b"two").await.unwrap();

        store.delete(&[id(ID), id("ee0123456789abcdef0123456789abcd"), other.clone()]).await.unwrap();

        assert_eq!(load(&store, &id(ID)).await, None);
        assert_eq!(load(&store, &other).await, None);
    }
}
