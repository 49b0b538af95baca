//! [`FsImageStore`]: images as files under `<data_dir>/images/<first 2 hex>/<id>`.
//! Ids are validated [`ImageId`]s (32 lower-case hex digits), so no client text
//! ever becomes part of a path (S6). The two-digit fan-out keeps directories small.

use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use async_trait::async_trait;
use chatroom_domain::ids::ImageId;
use chatroom_domain::timeline::ImageStore;

/// The sub-directory of the data directory that holds the images.
const IMAGES_DIR_NAME: &str = "images";

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

    async fn load(&self, id: &ImageId) -> anyhow::Result<Option<Vec<u8>>> {
        let path = self.path_of(id);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "ab0123456789abcdef0123456789abcd";

    fn id(raw: &str) -> ImageId {
        ImageId::parse(raw).unwrap()
    }

    #[tokio::test]
    async fn s6_an_image_is_stored_under_its_id_in_a_two_digit_directory() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());

        store.save(&id(ID), b"\x89PNG bytes").await.unwrap();

        let path = data.path().join("images").join("ab").join(ID);
        assert_eq!(std::fs::read(path).unwrap(), b"\x89PNG bytes");
        assert_eq!(store.load(&id(ID)).await.unwrap(), Some(b"\x89PNG bytes".to_vec()));
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
        assert_eq!(store.load(&id(ID)).await.unwrap(), Some(b"second".to_vec()));
    }

    #[tokio::test]
    async fn loading_an_unknown_image_gives_none() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());
        assert_eq!(store.load(&id(ID)).await.unwrap(), None);
    }

    #[tokio::test]
    async fn deleting_removes_the_images_and_ignores_unknown_ids() {
        let data = tempfile::tempdir().unwrap();
        let store = FsImageStore::new(data.path());
        let other = id("cd0123456789abcdef0123456789abcd");
        store.save(&id(ID), b"one").await.unwrap();
        store.save(&other, b"two").await.unwrap();

        store.delete(&[id(ID), id("ee0123456789abcdef0123456789abcd"), other.clone()]).await.unwrap();

        assert_eq!(store.load(&id(ID)).await.unwrap(), None);
        assert_eq!(store.load(&other).await.unwrap(), None);
    }
}
