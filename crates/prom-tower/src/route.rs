//! The `route` label value of one request, held from the request to the end
//! of its response without copying the string.

use std::fmt;
use std::sync::Arc;

/// The value of the `route` label of one request: a route pattern such as
/// `/users/{id}`, never the raw path, so that a route is one series however
/// many ids it sees.
///
/// A `Route` is cheap to hold and to clone: a `&'static str`, a shared
/// `Arc<str>` or axum's `MatchedPath` (a shared string too). Nothing is copied
/// per request unless you build one from a `String`.
///
/// ```
/// use std::sync::Arc;
/// use prom_tower::Route;
///
/// assert_eq!(Route::from_static("/health").as_str(), "/health");
/// let shared: Arc<str> = Arc::from("/users/{id}");
/// assert_eq!(Route::from(Arc::clone(&shared)).as_str(), "/users/{id}");
/// assert_eq!(Route::from(String::from("/orders")).as_str(), "/orders"); // allocates once
/// ```
#[derive(Clone)]
pub struct Route(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
    #[cfg(feature = "axum")]
    Matched(axum::extract::MatchedPath),
}

impl Route {
    /// A route named by a string literal: no allocation, ever.
    ///
    /// ```
    /// const HEALTH: prom_tower::Route = prom_tower::Route::from_static("/health");
    /// assert_eq!(HEALTH.as_str(), "/health");
    /// ```
    pub const fn from_static(route: &'static str) -> Route {
        Route(Repr::Static(route))
    }

    /// The route axum matched the request with (its `MatchedPath` extension,
    /// such as `/users/{id}`), when the request went through an axum router
    /// that matched it. Feature `axum`.
    ///
    /// ```
    /// use axum::{extract::MatchedPath, routing::get, Router};
    /// use prom_tower::Route;
    /// use tower::ServiceExt;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// // A handler sees what the layer sees.
    /// let app: Router = Router::new().route(
    ///     "/users/{id}",
    ///     get(|request: axum::extract::Request| async move {
    ///         Route::matched_path(request.extensions()).unwrap().as_str().to_owned()
    ///     }),
    /// );
    /// let request = http::Request::get("/users/7").body(axum::body::Body::empty())?;
    /// let response = app.oneshot(request).await?;
    /// let body = axum::body::to_bytes(response.into_body(), 1024).await?;
    /// assert_eq!(body, "/users/{id}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "axum")]
    pub fn matched_path(extensions: &http::Extensions) -> Option<Route> {
        extensions
            .get::<axum::extract::MatchedPath>()
            .map(|matched| Route(Repr::Matched(matched.clone())))
    }

    /// The label value.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
            #[cfg(feature = "axum")]
            Repr::Matched(m) => m.as_str(),
        }
    }
}

impl From<&'static str> for Route {
    fn from(route: &'static str) -> Route {
        Route::from_static(route)
    }
}

impl From<Arc<str>> for Route {
    fn from(route: Arc<str>) -> Route {
        Route(Repr::Shared(route))
    }
}

/// Copies the string into a new `Arc<str>`: one allocation per call. Keep
/// the routes in `&'static str`s or `Arc<str>`s to avoid it per request.
impl From<String> for Route {
    fn from(route: String) -> Route {
        Route(Repr::Shared(route.into()))
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Route").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}
