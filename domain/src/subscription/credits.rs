//! Where money leaving an escrow lands: the wallet commands that complete a
//! release or a complaint's settlement. Every step that takes money out of
//! an escrow runs these in the same unit of work, so the rouble that leaves
//! the escrow reaches a wallet (or the platform's fees) in the same commit.

use super::{EscrowParty, SubscriptionEvent};
use crate::wallet::{CreditKind, WalletCommand};
use crate::{AccountId, SubscriptionId};

/// The wallet credits an escrow event calls for, each with the wallet's
/// owner: a release to the client (refund) or the provider (earnings), both
/// halves of a complaint's split. The platform's fee stays on
/// `platform:fees`, which is no wallet. Zero amounts credit nothing.
pub fn wallet_credits(
    subscription_id: SubscriptionId,
    event: &SubscriptionEvent,
) -> Vec<(AccountId, WalletCommand)> {
    let credit = |owner: AccountId, transfer_id, amount: crate::Money, kind| {
        (!amount.is_zero()).then_some((
            owner,
            WalletCommand::CreditFromEscrow {
                owner,
                transfer_id,
                subscription_id,
                amount,
                kind,
            },
        ))
    };
    match event {
        SubscriptionEvent::EscrowReleased {
            transfer_id,
            to,
            recipient: Some(owner),
            amount,
        } => {
            let kind = match to {
                EscrowParty::Client => CreditKind::Refund,
                EscrowParty::Provider => CreditKind::Earnings,
                EscrowParty::Platform => return Vec::new(),
            };
            credit(*owner, *transfer_id, *amount, kind)
                .into_iter()
                .collect()
        }
        SubscriptionEvent::ComplaintSettled {
            transfer_id,
            client,
            provider,
            to_client,
            to_provider,
            ..
        } => [
            credit(*client, *transfer_id, *to_client, CreditKind::Refund),
            credit(*provider, *transfer_id, *to_provider, CreditKind::Earnings),
        ]
        .into_iter()
        .flatten()
        .collect(),
        _ => Vec::new(),
    }
}
