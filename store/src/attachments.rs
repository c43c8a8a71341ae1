//! Where the files posted into orders' chats are kept: the
//! [`AttachmentStore`] both APIs use (command-api puts, read-api gets), and
//! [`PgAttachments`], which keeps them in PostgreSQL's `attachments` table.
//!
//! PostgreSQL backs them in development and in the cluster alike: the bytes
//! then share the event store's volume, durability and backups (pg_dump),
//! and a file and the event naming it live and die together in a restore.
//! Files are at most a few MiB (`HUB_ATTACHMENTS__MAX_BYTES`), which `bytea`
//! handles well; an object store would sit behind the same trait.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::order::AttachmentType;
use domain::{AccountId, AttachmentId, OrderId};
use sqlx::PgPool;

/// A file to store.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Its id: the event that posts it names it.
    pub id: AttachmentId,
    /// The order whose chat it is posted into.
    pub order_id: OrderId,
    /// Who uploaded it.
    pub uploaded_by: AccountId,
    /// The kind told from its bytes.
    pub content_type: AttachmentType,
    /// The file.
    pub bytes: Vec<u8>,
}

/// A stored file.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Its id.
    pub id: AttachmentId,
    /// The order it was posted into.
    pub order_id: OrderId,
    /// The kind told from its bytes when it was stored.
    pub content_type: AttachmentType,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// The file.
    pub bytes: Vec<u8>,
}

/// Why a file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    /// The id already names another file (other bytes or another order):
    /// stored files never change.
    #[error("attachment {0} already holds another file")]
    Conflict(AttachmentId),
    /// A stored row no longer reads as a file (an unknown content type).
    #[error("attachment {0} is unreadable: {1}")]
    Corrupt(AttachmentId, String),
    /// The backing store failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Keeps the files of orders' chats, by id. A file is written once and
/// never changes.
#[async_trait]
pub trait AttachmentStore: Send + Sync + 'static {
    /// Stores `file` under its id. Storing the same file again under the
    /// same id (a retried upload) is `Ok`; other bytes or another order
    /// under a stored id is [`AttachmentError::Conflict`].
    async fn put(&self, file: NewAttachment) -> Result<(), AttachmentError>;

    /// The file stored under `id`, if any.
    async fn get(&self, id: AttachmentId) -> Result<Option<Attachment>, AttachmentError>;
}

/// [`AttachmentStore`] on PostgreSQL's `attachments` table.
#[derive(Debug, Clone)]
pub struct PgAttachments {
    pool: PgPool,
}

impl PgAttachments {
    /// Files in the database `pool` reaches (the writer's pool to put,
    /// the reader's is enough to get).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl AttachmentStore for PgAttachments {
    async fn put(&self, file: NewAttachment) -> Result<(), AttachmentError> {
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        let inserted = sqlx::query(
            "INSERT INTO attachments (id, order_id, uploaded_by, content_type, size, sha256, content) \
             VALUES ($1, $2, $3, $4, $5, sha256($6), $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(file.id.as_uuid())
        .bind(file.order_id.as_uuid())
        .bind(file.uploaded_by.as_uuid())
        .bind(file.content_type.media_type())
        .bind(size)
        .bind(&file.bytes)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(());
        }
        // A statement of its own, so it sees a concurrent twin that
        // committed while the insert waited on it.
        let same: bool = sqlx::query_scalar(
            "SELECT order_id = $2 AND sha256 = sha256($3) FROM attachments WHERE id = $1",
        )
        .bind(file.id.as_uuid())
        .bind(file.order_id.as_uuid())
        .bind(&file.bytes)
        .fetch_one(&self.pool)
        .await?;
        if same {
            Ok(())
        } else {
            Err(AttachmentError::Conflict(file.id))
        }
    }

    async fn get(&self, id: AttachmentId) -> Result<Option<Attachment>, AttachmentError> {
        let row: Option<(uuid::Uuid, String, DateTime<Utc>, Vec<u8>)> = sqlx::query_as(
            "SELECT order_id, content_type, created_at, content FROM attachments WHERE id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        let Some((order_id, content_type, created_at, bytes)) = row else {
            return Ok(None);
        };
        let content_type = AttachmentType::from_media_type(&content_type).ok_or_else(|| {
            AttachmentError::Corrupt(id, format!("content type `{content_type}`"))
        })?;
        Ok(Some(Attachment {
            id,
            order_id: order_id.into(),
            content_type,
            created_at,
            bytes,
        }))
    }
}
