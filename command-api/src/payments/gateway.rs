//! The seam to the acquirer: what a top-up asks of it.

use async_trait::async_trait;
use domain::{AccountId, Money, TransferId};
use serde::Serialize;
use uuid::Uuid;

/// Names the payment ids Hub derives from transfer ids (UUID v5). The same
/// literal sits in the `events_top_up_payment` index (migration
/// `20261130000200_payments.sql`) and in [`super::lookup`]: never change it.
pub const PAYMENT_NAMESPACE: Uuid = Uuid::from_u128(0x00a5dc87_fc64_4db4_85c4_2e62d2cde907);

/// The payment of a top-up: derived, so a retried request (same transfer id)
/// gets the same payment, and nothing has to be stored to find it again.
pub fn payment_id_of(transfer_id: TransferId) -> Uuid {
    Uuid::new_v5(&PAYMENT_NAMESPACE, transfer_id.0.to_string().as_bytes())
}

/// Where the payer goes to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentPage {
    /// The payment's id, the one its callbacks name.
    pub payment_id: Uuid,
    /// The page that takes the payment (the sandbox's is the SPA's `/pay/{payment_id}`).
    pub url: String,
}

/// The gateway could not open a payment.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The acquirer did not answer or refused; the top-up stays requested.
    #[error("payment gateway unavailable: {0}")]
    Unavailable(String),
}

/// An acquirer: opens payments for requested top-ups. Its verdicts come
/// back later, signed, at `POST /api/v1/payments/webhook` (see
/// `docs/payments.md`), and settle or fail the top-up there.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Opens the payment of a requested top-up, or finds it again when the
    /// same transfer id comes twice. Must not move money and must not write
    /// to Hub's database (the top-up's request is its one commit).
    async fn create_payment(
        &self,
        transfer_id: TransferId,
        owner: AccountId,
        amount: Money,
    ) -> Result<PaymentPage, GatewayError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_always_gets_the_same_payment_and_two_transfers_two() {
        let a = TransferId(Uuid::from_u128(1));
        let b = TransferId(Uuid::from_u128(2));
        assert_eq!(payment_id_of(a), payment_id_of(a));
        assert_ne!(payment_id_of(a), payment_id_of(b));
        assert_ne!(payment_id_of(a), a.0);
        assert_eq!(payment_id_of(a).get_version_num(), 5);
    }

    #[test]
    fn the_namespace_matches_the_migrations_index() {
        let sql = include_str!("../../../store/migrations/20261130000200_payments.sql");
        assert!(sql.contains(&PAYMENT_NAMESPACE.to_string()));
        assert!(super::super::lookup::FIND_BY_PAYMENT.contains(&PAYMENT_NAMESPACE.to_string()));
    }
}
