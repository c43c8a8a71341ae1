//! Why a subscription refused a command.

use crate::RuleViolation;

/// A subscription rule a command broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    /// The subscription was never requested.
    #[error("no such subscription")]
    NotFound,
    /// A subscription with this id exists already.
    #[error("subscription already requested")]
    AlreadyRequested,
    /// Only a client may request a service.
    #[error("only a client may request a service")]
    NotClient,
    /// Only a provider may accept or reject a request.
    #[error("only a provider may do this")]
    NotProvider,
    /// Only the subscription's client or an admin may cancel it.
    #[error("only the subscription's client or an admin may do this")]
    NotAllowed,
    /// A text field is empty (after trimming) or too long.
    #[error("{field} must be 1 to {max} characters")]
    TextLength {
        /// The field at fault.
        field: &'static str,
        /// Its maximum length in characters.
        max: usize,
    },
    /// Amounts that move money, and prices, must be greater than zero.
    #[error("amount must be greater than zero")]
    AmountNotPositive,
    /// The acceptance deadline must be in the future.
    #[error("the acceptance deadline must be in the future")]
    DeadlineInPast,
    /// Another provider accepted first.
    #[error("the request was already accepted")]
    AlreadyAccepted,
    /// The subscription was cancelled.
    #[error("the subscription was cancelled")]
    Cancelled,
    /// The provider does not handle this service type.
    #[error("the provider does not handle this service type")]
    ServiceTypeNotHandled,
    /// This provider rejected the request already.
    #[error("the provider already rejected this request")]
    AlreadyRejected,
    /// The request is no longer open.
    #[error("the request is no longer open")]
    NotOpen,
    /// The escrow does not yet hold the price.
    #[error("the request is not paid into escrow yet")]
    NotFunded,
    /// The acceptance deadline is not yet reached.
    #[error("the acceptance deadline has not been reached")]
    DeadlineNotDue,
    /// A running one-off job is cancelled through a complaint, not by the client.
    #[error("a one-off job in progress can only be stopped through a complaint")]
    OneOffNeedsComplaint,
    /// Completed subscriptions cannot be cancelled.
    #[error("the subscription can no longer be cancelled")]
    NotCancellable,
    /// Only monthly subscriptions renew or fall past due.
    #[error("only a monthly subscription can do this")]
    NotMonthly,
    /// The subscription's status does not allow this.
    #[error("not allowed while the subscription is {status}")]
    WrongStatus {
        /// The current status.
        status: &'static str,
    },
    /// The subscription ends at its period's end; it does not renew.
    #[error("the subscription is cancelled at the end of its period")]
    CancellationScheduled,
    /// The current period has not ended yet.
    #[error("the current period has not ended yet")]
    PeriodNotEnded,
    /// A complaint froze the escrow.
    #[error("the escrow is frozen by a complaint")]
    EscrowFrozen,
    /// No provider accepted yet.
    #[error("no provider has accepted the subscription")]
    NoProvider,
    /// The escrow holds less than asked for.
    #[error("the escrow holds {held}, {requested} requested")]
    InsufficientEscrow {
        /// Escrow held, formatted.
        held: String,
        /// Requested amount, formatted.
        requested: String,
    },
    /// Another complaint froze the escrow already.
    #[error("the escrow is already frozen by another complaint")]
    AlreadyFrozen,
    /// The escrow is not frozen by this complaint.
    #[error("this complaint has not frozen the escrow")]
    ComplaintNotOpen,
    /// The escrow would pass the largest amount Hub holds.
    #[error("escrow would exceed the maximum amount")]
    EscrowTooLarge,
    /// The amount's currency differs from the escrow's.
    #[error("currency does not match the escrow's")]
    CurrencyMismatch,
    /// A date computation left the supported range.
    #[error("date out of range")]
    DateOutOfRange,
}

impl RuleViolation for SubscriptionError {
    fn rule(&self) -> &'static str {
        match self {
            SubscriptionError::NotFound => "not_found",
            SubscriptionError::AlreadyRequested => "already_requested",
            SubscriptionError::NotClient => "not_client",
            SubscriptionError::NotProvider => "not_provider",
            SubscriptionError::NotAllowed => "not_allowed",
            SubscriptionError::TextLength { .. } => "text_length",
            SubscriptionError::AmountNotPositive => "amount_not_positive",
            SubscriptionError::DeadlineInPast => "deadline_in_past",
            SubscriptionError::AlreadyAccepted => "already_accepted",
            SubscriptionError::Cancelled => "cancelled",
            SubscriptionError::ServiceTypeNotHandled => "service_type_not_handled",
            SubscriptionError::AlreadyRejected => "already_rejected",
            SubscriptionError::NotOpen => "not_open",
            SubscriptionError::NotFunded => "not_funded",
            SubscriptionError::DeadlineNotDue => "deadline_not_due",
            SubscriptionError::OneOffNeedsComplaint => "one_off_needs_complaint",
            SubscriptionError::NotCancellable => "not_cancellable",
            SubscriptionError::NotMonthly => "not_monthly",
            SubscriptionError::WrongStatus { .. } => "wrong_status",
            SubscriptionError::CancellationScheduled => "cancellation_scheduled",
            SubscriptionError::PeriodNotEnded => "period_not_ended",
            SubscriptionError::EscrowFrozen => "escrow_frozen",
            SubscriptionError::NoProvider => "no_provider",
            SubscriptionError::InsufficientEscrow { .. } => "insufficient_escrow",
            SubscriptionError::AlreadyFrozen => "already_frozen",
            SubscriptionError::ComplaintNotOpen => "complaint_not_open",
            SubscriptionError::EscrowTooLarge => "escrow_too_large",
            SubscriptionError::CurrencyMismatch => "currency_mismatch",
            SubscriptionError::DateOutOfRange => "date_out_of_range",
        }
    }
}
