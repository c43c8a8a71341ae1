//! Every status a route can answer, in its OpenAPI document (DESIGN §8).
//!
//! Most refusals come from layers and extractors every route shares, not
//! from the handler: the body extractor (400 malformed JSON, 413, 415, 422),
//! the [`crate::Caller`] extractor (401, 403 for a blocked account), the
//! timeout layer (503), the error boundary (500). [`CommonAnswers`] adds
//! them to each operation by what it has — security, a request body, path,
//! query or `Idempotency-Key` parameters — instead of sixty hand-written
//! attributes drifting apart. An answer a handler documents itself wins.
//!
//! [`operations`] reads a served document back; both APIs' tests use it to
//! send each route the requests these answers promise to cover.

use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::Ref;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder};

/// The media type every problem is answered with.
const PROBLEM: &str = crate::problem::CONTENT_TYPE;

/// The OpenAPI modifier adding the answers every route shares.
#[derive(Debug, Clone, Copy)]
pub struct CommonAnswers {
    /// The component schema of a problem (`Problem`).
    pub problem_schema: &'static str,
    /// The status a malformed (non-UUID) path id gets: 404 in command-api,
    /// which treats it as naming nothing, 400 in read-api.
    pub malformed_id: u16,
}

impl CommonAnswers {
    /// The answers `op` can give by its traits, status → reasons.
    fn answers(
        &self,
        api_security: bool,
        item_params: &[utoipa::openapi::path::Parameter],
        op: &Operation,
        is_post: bool,
    ) -> BTreeMap<u16, Vec<&'static str>> {
        let mut out: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
        let mut add = |status: u16, why: &'static str| out.entry(status).or_default().push(why);
        let secured = match &op.security {
            Some(reqs) => !reqs.is_empty() && !reqs.contains(&SecurityRequirement::default()),
            None => api_security,
        };
        let params: Vec<_> = item_params
            .iter()
            .chain(op.parameters.iter().flatten())
            .collect();
        if secured {
            add(401, "missing, malformed, expired or forged access token");
            add(
                403,
                "the account is blocked (`rule: account_blocked`), or its role may not do this",
            );
            if is_post {
                add(409, "changed concurrently too often; retry");
            }
        }
        if op.request_body.is_some() {
            add(400, "the body is not well-formed JSON");
            add(413, "the body is larger than the limit");
            add(415, "the body is not `application/json`");
            add(422, "a field is missing or invalid (named in `errors`)");
        }
        if params.iter().any(|p| p.parameter_in == ParameterIn::Query) {
            add(
                400,
                "a query parameter is unknown or malformed (named in `errors`)",
            );
        }
        if params.iter().any(|p| {
            p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("idempotency-key")
        }) {
            add(400, "`Idempotency-Key` missing or malformed");
            add(
                409,
                "the first request with this `Idempotency-Key` is still running",
            );
            add(422, "`Idempotency-Key` reused with another body");
        }
        for p in params
            .iter()
            .filter(|p| p.parameter_in == ParameterIn::Path)
        {
            add(404, "nothing with this id that the caller may see");
            let uuid = p
                .schema
                .as_ref()
                .and_then(|s| serde_json::to_value(s).ok())
                .is_some_and(|s| s["format"] == "uuid");
            if uuid {
                add(self.malformed_id, "the path id is not a UUID");
            }
        }
        add(500, "an internal error (logged; quote `request_id`)");
        add(
            503,
            "no answer within the request timeout, or a dependency is down",
        );
        for reasons in out.values_mut() {
            reasons.dedup();
        }
        out
    }
}

fn operations_mut(item: &mut PathItem) -> [(bool, Option<&mut Operation>); 8] {
    [
        (false, item.get.as_mut()),
        (false, item.put.as_mut()),
        (true, item.post.as_mut()),
        (false, item.delete.as_mut()),
        (false, item.options.as_mut()),
        (false, item.head.as_mut()),
        (false, item.patch.as_mut()),
        (false, item.trace.as_mut()),
    ]
}

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        let api_security = openapi.security.as_ref().is_some_and(|reqs| {
            !reqs.is_empty() && !reqs.contains(&SecurityRequirement::default())
        });
        for item in openapi.paths.paths.values_mut() {
            let item_params = item.parameters.clone().unwrap_or_default();
            for (is_post, op) in operations_mut(item) {
                let Some(op) = op else { continue };
                for (status, reasons) in self.answers(api_security, &item_params, op, is_post) {
                    let content = ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(self.problem_schema)))
                        .build();
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(reasons.join("; "))
                                    .content(PROBLEM, content)
                                    .build(),
                            )
                        });
                }
            }
        }
    }
}

/// One operation of a served document, as tests need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentedOperation {
    /// `get`, `post`…
    pub method: String,
    /// The path template (`/api/v1/orders/{id}`).
    pub path: String,
    /// Whether it requires a bearer token.
    pub secured: bool,
    /// Whether it takes a request body.
    pub has_body: bool,
    /// Its path parameters, with whether each is a UUID.
    pub path_params: Vec<(String, bool)>,
    /// The statuses it documents.
    pub statuses: Vec<u16>,
}

impl DocumentedOperation {
    /// The path with every parameter replaced by `value`.
    pub fn path_with(&self, value: &str) -> String {
        let mut out = self.path.clone();
        for (name, _) in &self.path_params {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// Every operation of the OpenAPI document `doc` (its JSON).
pub fn operations(doc: &Value) -> Vec<DocumentedOperation> {
    let global_security = doc["security"].as_array().is_some_and(|a| !a.is_empty());
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let op = &item[method];
            if !op.is_object() {
                continue;
            }
            let secured = match op["security"].as_array() {
                Some(reqs) => {
                    !reqs.is_empty()
                        && !reqs
                            .iter()
                            .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
                }
                None => global_security,
            };
            let params = item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(op["parameters"].as_array().into_iter().flatten());
            let path_params = params
                .filter(|p| p["in"] == "path")
                .filter_map(|p| {
                    Some((
                        p["name"].as_str()?.to_owned(),
                        p["schema"]["format"] == "uuid",
                    ))
                })
                .collect();
            let statuses = op["responses"]
                .as_object()
                .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                .unwrap_or_default();
            out.push(DocumentedOperation {
                method: method.to_owned(),
                path: path.clone(),
                secured,
                has_body: op["requestBody"].is_object(),
                path_params,
                statuses,
            });
        }
    }
    out
}

/// Names a money field goes by, in requests and responses.
fn is_money_name(name: &str) -> bool {
    matches!(
        name,
        "amount"
            | "price"
            | "balance"
            | "available"
            | "in_escrow"
            | "in_payout"
            | "fee"
            | "to_client"
            | "to_provider"
            | "total"
    ) || name.ends_with("_price")
        || name.ends_with("_amount")
}

/// The schema `s` with its `$ref` followed, and the referenced name.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> (&'a Value, Option<&'a str>) {
    match s["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or(r);
            (&doc["components"]["schemas"][name], Some(name))
        }
        None => (s, None),
    }
}

/// Every `(json path, property schema)` under `schema`, not descending into
/// `Money` (its `amount` is the string inside the one money shape).
fn properties<'a>(
    doc: &'a Value,
    schema: &'a Value,
    at: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<(String, &'a Value)>,
) {
    let (s, name) = resolve(doc, schema);
    if let Some(n) = name {
        if n == "Money" || seen.iter().any(|x| x == n) {
            return;
        }
        seen.push(n.to_owned());
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in s[key].as_array().into_iter().flatten() {
            properties(doc, part, at, seen, out);
        }
    }
    if s["items"].is_object() {
        properties(doc, &s["items"], &format!("{at}[]"), seen, out);
    }
    for (field, prop) in s["properties"].as_object().into_iter().flatten() {
        let path = format!("{at}.{field}");
        out.push((path.clone(), prop));
        properties(doc, prop, &path, seen, out);
    }
    if let Some(n) = name {
        seen.retain(|x| x != n);
    }
}

/// Whether `prop` is `Money` (`{amount, currency}`, both strings), maybe nullable.
fn is_money_object(doc: &Value, prop: &Value) -> bool {
    std::iter::once(prop)
        .chain(
            ["oneOf", "anyOf", "allOf"]
                .iter()
                .flat_map(|k| prop[*k].as_array().into_iter().flatten()),
        )
        .any(|p| {
            let (m, name) = resolve(doc, p);
            name == Some("Money")
                && m["properties"]["amount"]["type"] == "string"
                && m["properties"]["currency"]["type"] == "string"
        })
}

/// Whether `prop` is a decimal string (its example, if any, like `"1500.00"`).
fn is_decimal_string(doc: &Value, prop: &Value) -> bool {
    let (p, _) = resolve(doc, prop);
    p["type"] == "string"
        && p["example"].as_str().is_none_or(|e| {
            e.split_once('.').is_some_and(|(r, k)| {
                !r.is_empty() && (r.bytes().chain(k.bytes())).all(|b| b.is_ascii_digit())
            })
        })
}

/// Every money field of the document `doc` in the wrong shape (DESIGN §8):
/// in a request body anything but a decimal string (`"1500.00"`), in a
/// success response anything but `Money` (`{amount, currency}`). Money
/// fields are those named like money (`amount`, `*_price`, `balance`,
/// `to_client`…) or typed `Money`.
pub fn money_shape_failures(doc: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let op_name = format!("{} {path}", method.to_uppercase());
            let mut out = Vec::new();
            let request = &op["requestBody"]["content"]["application/json"]["schema"];
            if request.is_object() {
                properties(doc, request, "request", &mut Vec::new(), &mut out);
            }
            for (at, prop) in out.drain(..) {
                let name = at.rsplit('.').next().unwrap_or("");
                let (resolved, _) = resolve(doc, prop);
                let object_money =
                    is_money_object(doc, prop) || resolved["properties"]["currency"].is_object();
                if object_money || (is_money_name(name) && !is_decimal_string(doc, prop)) {
                    failures.push(format!(
                        "{op_name} {at}: request money must be a decimal string"
                    ));
                }
            }
            for (status, res) in op["responses"].as_object().into_iter().flatten() {
                let schema = &res["content"]["application/json"]["schema"];
                if !status.starts_with('2') || !schema.is_object() {
                    continue;
                }
                properties(
                    doc,
                    schema,
                    &format!("response {status}"),
                    &mut Vec::new(),
                    &mut out,
                );
                for (at, prop) in out.drain(..) {
                    let name = at.rsplit('.').next().unwrap_or("");
                    if is_money_name(name) && !is_money_object(doc, prop) {
                        failures.push(format!(
                            "{op_name} {at}: response money must be {{amount, currency}}"
                        ));
                    }
                }
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    const ANSWERS: CommonAnswers = CommonAnswers {
        problem_schema: "Problem",
        malformed_id: 404,
    };

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(secured_post, open_get), modifiers(&ANSWERS))]
    struct Doc;

    #[derive(serde::Deserialize, utoipa::ToSchema)]
    #[expect(dead_code, reason = "only its schema is used")]
    struct Body {
        text: String,
    }

    #[utoipa::path(post, path = "/things/{id}", security(("bearer" = [])),
        params(("id" = uuid::Uuid, Path, description = "the thing")),
        request_body = Body,
        responses((status = 204, description = "done"),
                  (status = 404, description = "handler's own words")))]
    #[expect(dead_code, reason = "only its documentation is used")]
    fn secured_post() {}

    #[utoipa::path(get, path = "/open", responses((status = 200, description = "ok")))]
    #[expect(dead_code, reason = "only its documentation is used")]
    fn open_get() {}

    #[test]
    fn answers_follow_the_route_traits_and_keep_the_handlers_words() {
        let doc = serde_json::to_value(Doc::openapi()).unwrap();
        let ops = operations(&doc);
        let post = ops.iter().find(|o| o.method == "post").unwrap();
        assert!(post.secured && post.has_body);
        assert_eq!(post.path_params, vec![("id".to_owned(), true)]);
        assert_eq!(
            post.statuses,
            vec![204, 400, 401, 403, 404, 409, 413, 415, 422, 500, 503]
        );
        assert_eq!(
            doc["paths"]["/things/{id}"]["post"]["responses"]["404"]["description"],
            "handler's own words"
        );
        let problem = &doc["paths"]["/things/{id}"]["post"]["responses"]["415"]["content"]["application/problem+json"]
            ["schema"]["$ref"];
        assert_eq!(problem, "#/components/schemas/Problem");
        let get = ops.iter().find(|o| o.method == "get").unwrap();
        assert!(!get.secured && !get.has_body);
        assert_eq!(get.statuses, vec![200, 500, 503]);
        assert_eq!(post.path_with("x"), "/things/x");
    }

    #[test]
    fn money_of_the_wrong_shape_is_named() {
        let money = serde_json::json!({"type": "object", "properties": {
            "amount": {"type": "string"}, "currency": {"type": "string"}}});
        let doc = serde_json::json!({
            "components": {"schemas": {"Money": money}},
            "paths": {"/x": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"properties": {
                    "amount": {"type": "string", "example": "100.00"},
                    "price": {"type": "number"},
                    "split": {"properties": {"to_client": {"$ref": "#/components/schemas/Money"}}},
                }}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"properties": {
                    "balance": {"$ref": "#/components/schemas/Money"},
                    "held": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Money"}]},
                    "items": {"type": "array", "items": {"properties": {"monthly_price": {"type": "string"}}}},
                }}}}}},
            }}},
        });
        let mut failures = money_shape_failures(&doc);
        failures.sort();
        assert_eq!(
            failures,
            vec![
                "POST /x request.price: request money must be a decimal string",
                "POST /x request.split.to_client: request money must be a decimal string",
                "POST /x response 200.items[].monthly_price: response money must be {amount, currency}",
            ]
        );
    }
}
