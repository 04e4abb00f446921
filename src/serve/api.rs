//! The HTTP API: the report, what-ifs, the last reload's diagnostics,
//! server-sent events and the OpenAPI description; errors as RFC 9457
//! problem details.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::{App, dashboard, diagnostics_json};
use crate::engine::WhatIf;

/// An error, as RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status
    /// says it all).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The diagnostics, when rules or a what-if are wrong (the
    /// `--error-format json` shape).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub diagnostics: Option<serde_json::Value>,
}

impl Problem {
    fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: if kind.is_empty() {
                "about:blank".into()
            } else {
                format!("https://alumni-kpi.invalid/problems/{kind}")
            },
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            diagnostics: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut r = (status, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// A what-if: other params, weights or period; the served state is
/// unchanged.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Param values, as `--set` takes them: `{"staff_hour_cost": 50,
    /// "rate": "60%"}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub set: BTreeMap<String, serde_json::Value>,
    /// Weights by objective or indicator id: numbers from 0 to 1e9 (a
    /// number written as text is read too).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, f64>)]
    pub weights: BTreeMap<String, serde_json::Value>,
    /// Another period, `FROM..TO`.
    #[serde(default)]
    pub period: Option<String>,
}

/// The last reload of the rules or data.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiagnosticsResponse {
    /// Whether it succeeded (the report is of it).
    pub ok: bool,
    /// Its diagnostics (`--error-format json`): a failed reload's errors,
    /// located; the last good report stays served meanwhile.
    #[schema(value_type = Vec<Object>)]
    pub diagnostics: serde_json::Value,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "alumni-kpi",
        description = "The live report of a rules directory scored on a dataset, what-ifs, and reload diagnostics (`kpi serve`)."
    ),
    paths(report, score, diagnostics, events, openapi),
    components(schemas(WhatIfRequest, DiagnosticsResponse, Problem)),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI description: the paths and types of this module, with the
/// report's JSON Schema (schema/report.schema.json, which the tests hold
/// reports to) as the `Report` component.
pub fn openapi_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    // The package names no licence: an empty one would be no licence either.
    if doc["info"]["license"]["name"] == ""
        && let Some(info) = doc["info"].as_object_mut()
    {
        info.remove("license");
    }
    let report: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap_or_default();
    let mut report = report;
    // Its `$defs` become components of their own, and its references
    // point at them.
    let defs = report
        .as_object_mut()
        .and_then(|o| {
            o.remove("$schema");
            o.remove("$id");
            o.remove("$defs")
        })
        .unwrap_or_default();
    let schemas = &mut doc["components"]["schemas"];
    schemas["Report"] = report;
    if let serde_json::Value::Object(defs) = defs {
        for (name, def) in defs {
            schemas[format!("report.{name}")] = def;
        }
    }
    retarget(schemas);
    doc
}

fn retarget(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "$ref"
                    && let serde_json::Value::String(r) = x
                    && let Some(name) = r.strip_prefix("#/$defs/")
                {
                    *r = format!("#/components/schemas/report.{name}");
                } else {
                    retarget(x);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(retarget),
        _ => {}
    }
}

/// The routes, the token check and the body cap.
pub fn router(app: Arc<App>, body_limit: usize) -> Router {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/dashboard.js", get(dashboard::script))
        .route("/dashboard.css", get(dashboard::style))
        .route("/report.html", get(dashboard::report_html))
        .route("/favicon.ico", get(dashboard::no_icon))
        .route("/api/report", get(report))
        .route("/api/score", post(score))
        .route("/api/diagnostics", get(diagnostics))
        .route("/api/events", get(events))
        .route("/api/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), authorize))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(app)
}

async fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "",
        "no such page: see /api/openapi.json",
    )
}

async fn not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "",
        "this path does not take this method: see /api/openapi.json",
    )
}

/// The cookie that carries the token for a browser, which cannot send an
/// `Authorization` header when it opens a page.
const COOKIE: &str = "kpi_token";

/// Every route needs the token when the server has one: as a bearer
/// token (tools), or in the cookie that opening `/?token=T` once sets (a
/// browser).
async fn authorize(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(token) = &app.token else {
        return next.run(request).await;
    };
    let ok = |given: Option<&str>| given.is_some_and(|g| same(g.as_bytes(), token.as_bytes()));
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme's name is case-insensitive (RFC 9110).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='));
    if ok(bearer) || ok(cookie) {
        return next.run(request).await;
    }
    let query = (request.uri().path() == "/")
        .then(|| request.uri().query())
        .flatten()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("token=")));
    if ok(query) {
        // The cookie keeps the token; the address bar and the history do
        // not (a redirect to the bare page).
        let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
        let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        r.headers_mut().insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        return r;
    }
    let detail = if bearer.is_some() || cookie.is_some() || query.is_some() {
        "the token given is not this server's"
    } else {
        "this server needs its token: `Authorization: Bearer <token>`, or open /?token=<token> in a browser"
    };
    Problem::new(StatusCode::UNAUTHORIZED, "token", detail).into_response()
}

/// Compares in time independent of where the two differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn json_response(body: String, etag: Option<&str>) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(t).ok()) {
        h.insert(header::ETAG, tag);
    }
    r
}

/// The current report.
#[utoipa::path(
    get,
    path = "/api/report",
    description = "The current report, as `kpi score --format json` writes it. `ETag` changes with the figures; `If-None-Match` gives 304.",
    responses(
        (status = 200, description = "The report", body = Object, content_type = "application/json",
         headers(("ETag" = String, description = "Changes with the report"))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or wrong token", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
async fn report(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let served = app.served();
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            // Weak comparison (RFC 9110): `W/"x"` matches `"x"`.
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == served.etag)
        });
    if matches {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(tag) = HeaderValue::from_str(&served.etag) {
            r.headers_mut().insert(header::ETAG, tag);
        }
        return r;
    }
    json_response(served.json.clone(), Some(&served.etag))
}

/// A what-if.
#[utoipa::path(
    post,
    path = "/api/score",
    description = "The report with other params, weights or period; the served report is unchanged. Takes at most the server's time budget.",
    request_body(content = WhatIfRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The what-if's report", body = Object, content_type = "application/json"),
        (status = 400, description = "Not a what-if", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or wrong token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown param, objective or indicator, a bad value", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Over the time budget", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
async fn score(
    State(app): State<Arc<App>>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => {
            let status = e.status();
            let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!(
                    "the body is larger than this server takes ({} bytes; `kpi serve --body-limit`)",
                    app.body_limit
                )
            } else {
                e.body_text()
            };
            return Problem::new(status, "request", detail).into_response();
        }
    };
    // Read as an object only: serde would also take a list for a struct.
    let request = match body {
        serde_json::Value::Object(_) => serde_json::from_value::<WhatIfRequest>(body),
        other => {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request",
                format!(
                    "a what-if is a JSON object (`set`, `weights`, `period`), not {}",
                    short(&other.to_string())
                ),
            )
            .into_response();
        }
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request",
                format!("not a what-if: {}", short(&e.to_string())),
            )
            .into_response();
        }
    };
    let what_if = match what_if(&request, app.budget) {
        Ok(w) => w,
        Err(p) => return p.into_response(),
    };
    let served = app.served();
    let options = app.options.clone();
    app.running.fetch_add(1, Ordering::Relaxed);
    let answer = tokio::task::spawn_blocking(move || {
        let engine = served
            .engine(&options)
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "engine", e))?;
        engine.score(&what_if).map_err(|diags| {
            let budget = diags.iter().any(|d| d.code == "score::budget");
            let status = if budget {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let detail = diags
                .iter()
                .next()
                .map_or(String::new(), |d| d.message.clone());
            let mut p = Problem::new(status, if budget { "budget" } else { "what-if" }, detail);
            p.diagnostics = Some(diagnostics_json(&diags.0, &served.rules.sources));
            p
        })
    })
    .await;
    app.running.fetch_sub(1, Ordering::Relaxed);
    match answer {
        Ok(Ok(report)) => json_response(report.render(crate::report::ReportFormat::Json), None),
        Ok(Err(p)) => p.into_response(),
        Err(_) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            "the what-if failed (a bug: please report it)",
        )
        .into_response(),
    }
}

/// A name or value as an error message quotes it: at most 80 characters.
fn short(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The longest name of a param, objective or indicator a what-if may give.
const MAX_NAME: usize = 200;

fn what_if(request: &WhatIfRequest, budget: std::time::Duration) -> Result<WhatIf, Problem> {
    if let Some(long) = request
        .set
        .keys()
        .chain(request.weights.keys())
        .find(|k| k.len() > MAX_NAME)
    {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "what-if",
            format!(
                "`{}` is no name of these rules (names are at most {MAX_NAME} characters)",
                short(long)
            ),
        ));
    }
    let mut set = Vec::new();
    for (name, value) in &request.set {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            other => {
                return Err(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "what-if",
                    format!(
                        "`set.{name}`: a param's value is a number, text or true/false, not {}",
                        short(&other.to_string())
                    ),
                ));
            }
        };
        set.push((name.clone(), text));
    }
    let period = match &request.period {
        Some(p) => Some(crate::syntax::period_dates(p).map_err(|e| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "what-if",
                format!("`period`: {e} (write FROM..TO, e.g. 2024-09-01..2025-08-31)"),
            )
        })?),
        None => None,
    };
    let mut weights = Vec::new();
    for (id, w) in &request.weights {
        let n = match w {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(t) => t.trim().replace(',', ".").parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() && (0.0..=crate::check::MAX_WEIGHT).contains(&n) => {
                weights.push((id.clone(), n));
            }
            _ => {
                return Err(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "what-if",
                    format!(
                        "`weights.{id}`: a weight is a number from 0 to 1e9, not {}",
                        short(&w.to_string())
                    ),
                ));
            }
        }
    }
    Ok(WhatIf {
        set,
        weights,
        period,
        explain: true,
        budget: Some(budget),
        ..WhatIf::default()
    })
}

/// The last reload's diagnostics.
#[utoipa::path(
    get,
    path = "/api/diagnostics",
    description = "Whether the last reload of the rules or data succeeded, and its located diagnostics.",
    responses(
        (status = 200, description = "The last reload", body = DiagnosticsResponse),
        (status = 401, description = "No or wrong token", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
async fn diagnostics(State(app): State<Arc<App>>) -> Response {
    let last = app.last.load_full();
    json_response(
        serde_json::to_string(&DiagnosticsResponse {
            ok: last.ok,
            diagnostics: last.diagnostics.clone(),
        })
        .unwrap_or_default(),
        None,
    )
}

/// Server-sent events.
#[utoipa::path(
    get,
    path = "/api/events",
    description = "Server-sent events: `report` (generation, revision, etag, score) after each re-score; `diagnostics` (as /api/diagnostics) after a failed reload.",
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
        (status = 401, description = "No or wrong token", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
async fn events(State(app): State<Arc<App>>) -> Response {
    let rx = app.events.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(n) => {
                    let event = SseEvent::default().event(n.kind).data(n.data);
                    return Some((Ok::<_, Infallible>(event), rx));
                }
                // A slow reader missed some: the next one tells the news.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// This description.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    responses((status = 200, description = "The OpenAPI description", body = Object)),
    security((), ("bearer" = []))
)]
async fn openapi() -> Response {
    json_response(openapi_json().to_string(), None)
}
