//! Who may see what (DESIGN §7), as SQL conditions over the read models.
//!
//! Something a caller may not see is answered 404, exactly like something
//! that does not exist, so ids cannot be probed. A role that never sees a
//! kind of resource gets 403 whatever the id.

use domain::Role;
use platform::{Caller, Problem};

/// Roles that see subscriptions and orders: everyone but the auditor, whose
/// window is the ledger export.
pub const PARTIES_AND_ADMINS: &[Role] = &[Role::Client, Role::Provider, Role::Admin];

/// `$1` = caller id, `$2` = is admin, `$3` = is provider: the caller is the
/// subscription's client or provider, an admin, or a provider of its service
/// type who has not rejected it while it is open (requested or overdue).
pub const SUBSCRIPTION_VISIBLE: &str = "($2 OR s.client_id = $1 OR s.provider_id = $1 \
     OR ($3 AND s.status IN ('requested', 'overdue') AND NOT ($1 = ANY (s.rejected_by)) \
         AND s.service_type = ANY (COALESCE((SELECT a.service_types FROM read.accounts a \
                                             WHERE a.account_id = $1 AND a.role = 'provider'), '{}'))))";

/// `$1` = caller id, `$2` = is admin: the caller is a party of the order `o`, or an admin.
pub const ORDER_VISIBLE: &str = "($2 OR o.client_id = $1 OR o.provider_id = $1)";

/// 403 unless the caller has one of `roles`.
pub fn require(caller: &Caller, roles: &[Role]) -> Result<(), Problem> {
    caller.require(roles)
}

/// Whether the caller is an admin (`$2` of the conditions above).
pub fn is_admin(caller: &Caller) -> bool {
    caller.role == Role::Admin
}

/// Whether the caller is a provider (`$3` of [`SUBSCRIPTION_VISIBLE`]).
pub fn is_provider(caller: &Caller) -> bool {
    caller.role == Role::Provider
}
