//! Entry point of the wasm build.

fn main() {
    dioxus::launch(web::App);
}
