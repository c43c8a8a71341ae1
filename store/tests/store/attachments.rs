//! The PostgreSQL attachment store: written once, read back as stored.

use domain::order::AttachmentType;
use domain::{AccountId, AttachmentId, OrderId};
use store::TestDb;
use store::attachments::{AttachmentError, AttachmentStore, NewAttachment, PgAttachments};

fn pdf(order_id: OrderId, id: AttachmentId, bytes: &[u8]) -> NewAttachment {
    NewAttachment {
        id,
        order_id,
        uploaded_by: AccountId::new(),
        content_type: AttachmentType::Pdf,
        bytes: bytes.to_vec(),
    }
}

#[tokio::test]
async fn a_file_reads_back_as_stored_and_a_retry_is_harmless_but_other_bytes_conflict() {
    let mut db = TestDb::create().await.expect("db");
    let files = PgAttachments::new(db.pool().clone());
    let (order, id) = (OrderId::new(), AttachmentId::new());
    files
        .put(pdf(order, id, b"%PDF-1.7 one"))
        .await
        .expect("put");
    files
        .put(pdf(order, id, b"%PDF-1.7 one"))
        .await
        .expect("same again");
    assert!(matches!(
        files.put(pdf(order, id, b"%PDF-1.7 two")).await,
        Err(AttachmentError::Conflict(c)) if c == id
    ));
    assert!(matches!(
        files.put(pdf(OrderId::new(), id, b"%PDF-1.7 one")).await,
        Err(AttachmentError::Conflict(_))
    ));
    let got = files.get(id).await.expect("get").expect("stored");
    assert_eq!(got.bytes, b"%PDF-1.7 one");
    assert_eq!(got.order_id, order);
    assert_eq!(got.content_type, AttachmentType::Pdf);
    assert!(files.get(AttachmentId::new()).await.expect("get").is_none());
    db.drop_db().await.expect("drop");
}
