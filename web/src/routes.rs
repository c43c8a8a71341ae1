//! The app's URLs.

use dioxus::prelude::*;

use crate::components::layout::Shell;
use crate::pages::admin::{
    AdminAccounts, AdminCatalog, AdminComplaint, AdminWork, Complaints, OrderTimeline,
};
use crate::pages::auth::{Login, RegisterClient, RegisterProvider};
use crate::pages::available::AvailableRequests;
use crate::pages::documents::Documents;
use crate::pages::ledger::LedgerExport;
use crate::pages::misc::{Home, NotFound};
use crate::pages::new_request::NewRequest;
use crate::pages::order::OrderPage;
use crate::pages::pay::Pay;
use crate::pages::subscription::SubscriptionPage;
use crate::pages::subscriptions::Subscriptions;
use crate::pages::wallet::WalletPage;

/// Every screen, all inside the top-bar layout.
#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        #[route("/")]
        Home {},
        #[route("/login")]
        Login {},
        #[route("/register/client")]
        RegisterClient {},
        #[route("/register/provider")]
        RegisterProvider {},
        #[route("/subscriptions")]
        Subscriptions {},
        #[route("/subscriptions/:id")]
        SubscriptionPage { id: String },
        #[route("/orders/:id")]
        OrderPage { id: String },
        #[route("/requests/new")]
        NewRequest {},
        #[route("/requests/available")]
        AvailableRequests {},
        #[route("/wallet")]
        WalletPage {},
        #[route("/pay/:payment_id")]
        Pay { payment_id: String },
        #[route("/complaints")]
        Complaints {},
        #[route("/admin/complaints/:id")]
        AdminComplaint { id: String },
        #[route("/admin/orders/:id/history")]
        OrderTimeline { id: String },
        #[route("/admin/work")]
        AdminWork {},
        #[route("/admin/accounts")]
        AdminAccounts {},
        #[route("/admin/catalog")]
        AdminCatalog {},
        #[route("/ledger")]
        LedgerExport {},
        #[route("/documents")]
        Documents {},
        #[route("/:..segments")]
        NotFound { segments: Vec<String> },
}

impl Route {
    /// Screens a signed-out visitor may see.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Route::Login {}
                | Route::RegisterClient {}
                | Route::RegisterProvider {}
                | Route::Pay { .. }
                | Route::NotFound { .. }
        )
    }

    /// Screens only for the signed-out (a signed-in user is sent home).
    pub fn is_guest_only(&self) -> bool {
        matches!(
            self,
            Route::Login {} | Route::RegisterClient {} | Route::RegisterProvider {}
        )
    }
}
