//! Hands a file the app fetched itself to the browser's downloads.
//!
//! Files behind the bearer token cannot be plain links (a link sends no
//! `Authorization` header), so the app fetches them (`api::attachment`) and
//! saves the bytes the way a link would: a Blob behind an object URL, clicked
//! through a temporary `<a download>`.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::api::attachment::Attachment;

/// How long the object URL outlives the click: the browser reads the blob
/// after the click returns, and a slow disk may take a while.
const REVOKE_AFTER_MS: u32 = 60_000;

/// Saves `file` under the server's name, else `fallback`; returns the name used.
pub fn save(file: &Attachment, fallback: &str) -> Result<String, JsValue> {
    let name = file.name_or(fallback);
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let document = window.document().ok_or(JsValue::NULL)?;
    let body = document.body().ok_or(JsValue::NULL)?;

    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(file.bytes.as_slice()));
    let options = BlobPropertyBag::new();
    options.set_type(&file.content_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;

    let link: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(&name);
    link.set_hidden(true);
    // Some browsers only follow a link that is in the document.
    body.append_child(&link)?;
    link.click();
    link.remove();

    gloo_timers::callback::Timeout::new(REVOKE_AFTER_MS, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(name)
}
