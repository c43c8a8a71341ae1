//! Why an order refused a command.

use crate::RuleViolation;

/// A rule of the [`Order`](super::Order) aggregate that a command broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The command needs an existing order.
    #[error("order not found")]
    NotFound,
    /// `Create` on an order that exists.
    #[error("order already exists")]
    AlreadyExists,
    /// Only the subscription's client may open an order in it.
    #[error("only the subscription's client may create an order")]
    NotSubscriptionClient,
    /// Orders live inside active subscriptions only.
    #[error("subscription is not active")]
    SubscriptionNotActive,
    /// Nobody accepted the subscription yet, so nobody could work on the order.
    #[error("subscription has no provider")]
    SubscriptionHasNoProvider,
    /// Title empty or longer than 200 characters.
    #[error("title must be 1 to 200 characters")]
    InvalidTitle,
    /// Details longer than 10 000 characters.
    #[error("details must be at most 10000 characters")]
    InvalidDetails,
    /// Only the order's provider may take it.
    #[error("only the order's provider may take it")]
    NotOrderProvider,
    /// `Take` on an order already in work.
    #[error("order already taken")]
    AlreadyTaken,
    /// The order is completed.
    #[error("order is completed")]
    Completed,
    /// An open complaint froze the order.
    #[error("order is frozen by an open complaint")]
    Frozen,
    /// Neither the order's client, its provider nor an admin.
    #[error("not a participant of this order")]
    NotParticipant,
    /// Message text empty or longer than 4000 characters.
    #[error("message must be 1 to 4000 characters")]
    InvalidMessageText,
    /// Attachment name empty, longer than 255 characters, or with a path
    /// separator or control character.
    #[error("attachment name must be 1 to 255 characters, without `/`, `\\` or control characters")]
    InvalidAttachmentName,
    /// Attachment caption longer than 4000 characters.
    #[error("caption must be at most 4000 characters")]
    InvalidCaption,
    /// An empty file.
    #[error("attachment must not be empty")]
    EmptyAttachment,
    /// The provider may say done only once the order is in work.
    #[error("order is not in progress")]
    NotInProgress,
    /// This side already said done.
    #[error("already marked done")]
    AlreadyMarkedDone,
    /// Auto-confirm needs the provider to have said done first.
    #[error("the provider has not marked the order done")]
    NotMarkedDoneByProvider,
    /// Another complaint froze the order; this one cannot freeze or thaw it.
    #[error("order is frozen by another complaint")]
    FrozenByOtherComplaint,
    /// Only an admin may do this.
    #[error("only an admin may do this")]
    NotAdmin,
    /// An admin's reason is empty or longer than 1000 characters.
    #[error("reason must be 1 to 1000 characters")]
    InvalidReason,
    /// An admin cancelled the order.
    #[error("order is cancelled")]
    Cancelled,
}

impl RuleViolation for OrderError {
    fn rule(&self) -> &'static str {
        match self {
            OrderError::NotFound => "order_not_found",
            OrderError::AlreadyExists => "order_already_exists",
            OrderError::NotSubscriptionClient => "not_subscription_client",
            OrderError::SubscriptionNotActive => "subscription_not_active",
            OrderError::SubscriptionHasNoProvider => "subscription_has_no_provider",
            OrderError::InvalidTitle => "invalid_title",
            OrderError::InvalidDetails => "invalid_details",
            OrderError::NotOrderProvider => "not_order_provider",
            OrderError::AlreadyTaken => "order_already_taken",
            OrderError::Completed => "order_completed",
            OrderError::Frozen => "order_frozen",
            OrderError::NotParticipant => "not_order_participant",
            OrderError::InvalidMessageText => "invalid_message_text",
            OrderError::InvalidAttachmentName => "invalid_attachment_name",
            OrderError::InvalidCaption => "invalid_caption",
            OrderError::EmptyAttachment => "empty_attachment",
            OrderError::NotInProgress => "order_not_in_progress",
            OrderError::AlreadyMarkedDone => "order_already_marked_done",
            OrderError::FrozenByOtherComplaint => "order_frozen_by_other_complaint",
            OrderError::NotMarkedDoneByProvider => "order_not_marked_done_by_provider",
            OrderError::NotAdmin => "not_admin",
            OrderError::InvalidReason => "invalid_reason",
            OrderError::Cancelled => "order_cancelled",
        }
    }
}
