//! The layers the standalone server puts around the metrics router: basic
//! auth with bcrypt-hashed passwords, and exporter-toolkit's security
//! response headers. The scrape handler knows of neither.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::HttpError;

/// The challenge of a 401: the realm is what a browser shows.
const CHALLENGE: &str = r#"Basic realm="metrics""#;

/// Successful verifications remembered at most; the set is emptied when
/// full, so a flood of distinct credentials cannot grow it.
const CACHE_CAPACITY: usize = 256;

/// The lowest cost the dummy hash has, for unknown users when no user is
/// configured yet; bcrypt's own minimum.
const MIN_COST: u32 = 4;

/// Users allowed through HTTP basic auth, each with a bcrypt hash of their
/// password (as in exporter-toolkit's `basic_auth_users`; `htpasswd -nBC 10
/// "" | tr -d ':\n'` makes one).
///
/// A request without valid credentials gets `401 Unauthorized` with
/// `WWW-Authenticate: Basic realm="metrics"` and no metrics. bcrypt compares
/// in constant time; a name that is not a user is checked against a dummy
/// hash as costly as the costliest user's, so response times do not tell
/// which names exist. A successful check is remembered (keyed by a SHA-256
/// of user, hash and password, never the password itself) so a scraper
/// pays bcrypt once, not on every scrape; checks run one at a time, off
/// the server's I/O thread.
///
/// ```
/// let hash = bcrypt::hash("s3cret", 4).unwrap();
/// let auth = prom_http::BasicAuth::new().user("prometheus", hash)?;
/// let options = prom_http::ServerOptions::default().basic_auth(auth);
/// # let _ = options;
/// # Ok::<(), prom_http::HttpError>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    /// A hash of no one's password, with the highest cost of `users`.
    dummy: Option<(u32, String)>,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl BasicAuth {
    /// No users yet: add them with [`BasicAuth::user`]. A server given an
    /// empty `BasicAuth` asks for no credentials, as exporter-toolkit does
    /// with an empty `basic_auth_users`.
    pub fn new() -> BasicAuth {
        BasicAuth::default()
    }

    /// Allows `name` with the password whose bcrypt hash (`$2a$`, `$2b$`,
    /// `$2x$` or `$2y$`) is `bcrypt_hash`. Adding a name again replaces its hash.
    ///
    /// # Errors
    /// [`HttpError::BasicAuthUser`] when the hash is not a bcrypt hash, or
    /// the name holds a `:` (basic auth could never send it).
    pub fn user(
        mut self,
        name: impl Into<String>,
        bcrypt_hash: impl Into<String>,
    ) -> Result<BasicAuth, HttpError> {
        let (name, hash) = (name.into(), bcrypt_hash.into());
        if name.contains(':') {
            return Err(HttpError::BasicAuthUser {
                user: name,
                reason: "a user name cannot contain ':'".into(),
                source: None,
            });
        }
        let cost = hash
            .parse::<bcrypt::HashParts>()
            .map_err(|source| HttpError::BasicAuthUser {
                user: name.clone(),
                reason: format!("the password hash is not a bcrypt hash ({source})"),
                source: Some(source),
            })?
            .get_cost();
        if self.dummy.as_ref().is_none_or(|(c, _)| *c < cost) {
            self.dummy = Some((cost, dummy_hash(cost)));
        }
        self.users.insert(name, hash);
        Ok(self)
    }

    /// Whether no user is configured (then no credentials are asked for).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Puts the check in front of `app`; an empty `BasicAuth` leaves it as it is.
    pub(crate) fn wrap(self, app: Router) -> Router {
        if self.is_empty() {
            return app;
        }
        let dummy = match self.dummy {
            Some((_, hash)) => hash,
            None => dummy_hash(MIN_COST),
        };
        let verifier = Arc::new(Verifier {
            users: self.users,
            dummy,
            verified: Mutex::new(HashSet::new()),
            bcrypt_turn: tokio::sync::Mutex::new(()),
        });
        app.layer(axum::middleware::from_fn_with_state(verifier, check))
    }
}

/// A bcrypt hash no password is known for, with a fixed salt: it only has
/// to cost what a real user's check costs.
fn dummy_hash(cost: u32) -> String {
    bcrypt::hash_with_salt(b"no user has this password", cost, [0x5a; 16])
        .map(|parts| parts.format_for_version(bcrypt::Version::TwoB))
        // Costs come from parsed hashes (4..=31), which bcrypt accepts.
        .unwrap_or_default()
}

struct Verifier {
    users: BTreeMap<String, String>,
    dummy: String,
    verified: Mutex<HashSet<[u8; 32]>>,
    /// One bcrypt check at a time, as exporter-toolkit does: each is tens
    /// of milliseconds of CPU by design.
    bcrypt_turn: tokio::sync::Mutex<()>,
}

impl Verifier {
    async fn allows(&self, headers: &HeaderMap) -> bool {
        let Some((user, password)) = credentials(headers) else {
            return false;
        };
        let known = std::str::from_utf8(&user)
            .ok()
            .and_then(|name| self.users.get(name));
        let hash = known.unwrap_or(&self.dummy).clone();
        let key = cache_key(&user, &hash, &password);
        if known.is_some() && self.cache().contains(&key) {
            return true;
        }
        let matches = {
            let _turn = self.bcrypt_turn.lock().await;
            tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
                .await
                .unwrap_or(false)
        };
        let allowed = matches && known.is_some();
        if allowed {
            let mut cache = self.cache();
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(key);
        }
        allowed
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashSet<[u8; 32]>> {
        // A set of digests stays valid whatever panicked while holding it.
        self.verified.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// SHA-256 over the length-prefixed user and hash and the password, so no
/// two different triples share a key and the password is never stored.
fn cache_key(user: &[u8], hash: &str, password: &[u8]) -> [u8; 32] {
    let mut sha = Sha256::new();
    sha.update((user.len() as u64).to_le_bytes());
    sha.update(user);
    sha.update((hash.len() as u64).to_le_bytes());
    sha.update(hash.as_bytes());
    sha.update(password);
    sha.finalize().into()
}

/// The user and password of an `Authorization: Basic …` header, split at
/// the first `:` as Go's `Request.BasicAuth` does.
fn credentials(headers: &HeaderMap) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

async fn check(State(verifier): State<Arc<Verifier>>, request: Request, next: Next) -> Response {
    if verifier.allows(request.headers()).await {
        return next.run(request).await;
    }
    let mut response = Response::new(Body::from("Unauthorized\n"));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = response.headers_mut();
    headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The headers exporter-toolkit lets an operator add, with the values
/// allowed where they are an enumeration (empty: any value).
const ALLOWED_HEADERS: [(&str, &[&str]); 5] = [
    ("Strict-Transport-Security", &[]),
    ("X-Content-Type-Options", &["nosniff"]),
    ("X-Frame-Options", &["deny", "sameorigin"]),
    ("X-XSS-Protection", &[]),
    ("Content-Security-Policy", &[]),
];

/// Checks `name: value` against exporter-toolkit's rule: one of five
/// security headers, names spelled as it spells them, values from its
/// lists where it has one.
pub(crate) fn response_header(
    name: &str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), HttpError> {
    let refuse = |reason: String| HttpError::ResponseHeader {
        name: name.to_owned(),
        reason,
    };
    let Some((_, values)) = ALLOWED_HEADERS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = ALLOWED_HEADERS.iter().map(|(n, _)| *n).collect();
        return Err(refuse(format!("only {} can be", names.join(", "))));
    };
    if !values.is_empty() && !values.contains(&value) {
        return Err(refuse(format!(
            "the value must be one of {values:?}, not {value:?}"
        )));
    }
    let value = HeaderValue::from_str(value)
        .map_err(|_| refuse(format!("{value:?} is not a valid header value")))?;
    // Every allowed name is a valid header name.
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| refuse(e.to_string()))?;
    Ok((name, value))
}

/// Adds `headers` to every response of `app`, a 401 included.
pub(crate) fn with_headers(app: Router, headers: Vec<(HeaderName, HeaderValue)>) -> Router {
    if headers.is_empty() {
        return app;
    }
    let headers = Arc::new(headers);
    app.layer(axum::middleware::map_response(
        move |mut response: Response| {
            let headers = Arc::clone(&headers);
            async move {
                for (name, value) in headers.iter() {
                    response.headers_mut().insert(name.clone(), value.clone());
                }
                response
            }
        },
    ))
}
