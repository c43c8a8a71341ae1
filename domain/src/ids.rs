//! Identifiers as UUID newtypes, so an order id can never be passed where a
//! subscription id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// The raw UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(Uuid::nil())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// An account: a client, provider, admin or auditor. A wallet shares its account's id.
    AccountId
);
id_type!(
    /// A subscription, which is also the client's request until a provider accepts it.
    SubscriptionId
);
id_type!(
    /// An order inside a subscription.
    OrderId
);
id_type!(
    /// A complaint about an order.
    ComplaintId
);
id_type!(
    /// A money movement; doubles as its idempotency key.
    TransferId
);
id_type!(
    /// A chat message inside an order.
    MessageId
);
id_type!(
    /// A file posted into an order's chat.
    AttachmentId
);
