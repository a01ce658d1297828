//! What the extractors and the layer answer when something goes wrong.

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use session_core::{BagError, StoreError};

/// Why a session extractor could not hand the handler its session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No [`SessionLayer`](crate::SessionLayer) wraps this route.
    #[error(
        "no SessionLayer in front of this handler: add `.layer(SessionLayer::new(store))` to \
         the router that serves it"
    )]
    MissingLayer,
    /// The store failed while loading the session.
    #[error("the session store is unavailable")]
    Store(#[source] StoreError),
    /// The stored data does not fit the requested type (after a deploy that changed
    /// a field's type, say). Nothing is overwritten.
    #[error("session data does not fit `{type_name}`: {source}")]
    Data {
        /// The Rust type requested.
        type_name: &'static str,
        /// Which path held what.
        #[source]
        source: BagError,
    },
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match &self {
            SessionRejection::MissingLayer => {
                tracing::error!("{self}");
                (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
            }
            SessionRejection::Store(source) => {
                tracing::error!(error = %source, "session store failed while loading a session");
                store_unavailable()
            }
            SessionRejection::Data { .. } => {
                tracing::error!(error = %self, "session data does not fit its type");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "session data does not fit the expected type",
                )
                    .into_response()
            }
        }
    }
}

/// The answer when the store cannot be used: 503, short body.
pub(crate) fn store_unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "session store unavailable, try again shortly",
    )
        .into_response()
}
