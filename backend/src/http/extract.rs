//! Extractors that answer every rejection in the API's one error shape: `ApiJson<T>` (malformed
//! JSON, wrong content type, body too large, wrong field types), `ApiDocument` (a document of
//! an unknown kind or too large) and `ApiPath<T>` (path segments that are not valid UTF-8 or not
//! of the expected type).

use crate::http::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shared::ErrorCode;

/// A JSON request body or response.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::Bytes::from_request(Request::new(body), state).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                let too_large = rejection.status() == StatusCode::PAYLOAD_TOO_LARGE;
                return Err(AppError::Rejected {
                    status: rejection.status(),
                    code: if too_large {
                        ErrorCode::PayloadTooLarge
                    } else {
                        ErrorCode::MalformedJson
                    },
                    message: if too_large {
                        "The body is too large.".to_owned()
                    } else {
                        format!("The body did not arrive whole: {}", rejection.body_text())
                    },
                });
            }
        };
        // Every body the API takes is an object; serde would also fill a struct's fields from
        // an array in their order (`[null, null]`), which no schema of ours describes.
        let an_object = bytes.trim_ascii_start().first() == Some(&b'{');
        let copy = bytes.clone();
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let not_an_object = || AppError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: ErrorCode::InvalidJson,
            message: "The body must be a JSON object with the documented fields.".to_owned(),
        };
        match axum::Json::<T>::from_request(req, state).await {
            Ok(_) if !an_object => Err(not_an_object()),
            Ok(axum::Json(value)) => Ok(Self(value)),
            // Valid JSON of another kind (an array, a string, a number) is named as such, not
            // by what serde made of it.
            Err(JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_))
                if !an_object && serde_json::from_slice::<serde_json::Value>(&copy).is_ok() =>
            {
                Err(not_an_object())
            }
            Err(rejection) => Err(rejected(rejection)),
        }
    }
}

fn rejected(rejection: JsonRejection) -> AppError {
    let (code, message) = match &rejection {
        JsonRejection::JsonSyntaxError(_) => (
            ErrorCode::MalformedJson,
            format!("The body is not valid JSON: {}", rejection.body_text()),
        ),
        JsonRejection::JsonDataError(_) => (
            ErrorCode::InvalidJson,
            format!(
                "The body does not have the expected fields: {}",
                rejection.body_text()
            ),
        ),
        JsonRejection::MissingJsonContentType(_) => (
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with `Content-Type: application/json`.".to_owned(),
        ),
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::PayloadTooLarge,
            "The body is too large.".to_owned(),
        ),
        _ => (ErrorCode::MalformedJson, rejection.body_text()),
    };
    AppError::Rejected {
        status: rejection.status(),
        code,
        message,
    }
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A document sent as the request's whole body, with the format its `Content-Type` names;
/// refused as [`DocumentError`](crate::document::DocumentError) says.
pub struct ApiDocument(pub crate::document::Format, pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiDocument {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        use crate::document::{DocumentError, Format};
        let media_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let format =
            Format::from_media_type(&media_type).ok_or(DocumentError::Unsupported(media_type))?;
        match axum::body::Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(Self(format, bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(DocumentError::TooLarge.into())
            }
            Err(rejection) => Err(AppError::Rejected {
                status: rejection.status(),
                code: ErrorCode::CorruptDocument,
                message: format!(
                    "The document did not arrive whole: {}",
                    rejection.body_text()
                ),
            }),
        }
    }
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::Rejected {
                status: rejection.status(),
                code: ErrorCode::InvalidPath,
                message: format!("The address is not valid: {}", rejection.body_text()),
            }),
        }
    }
}

/// Query parameters; a malformed query is refused like a malformed address.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::Rejected {
                status: rejection.status(),
                code: ErrorCode::InvalidPath,
                message: format!("The address is not valid: {}", rejection.body_text()),
            }),
        }
    }
}

/// The path parameter `name` of the matched route, decoded; for extractors that must know which
/// record a request is about before the handler reads its body.
pub async fn path_param<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<String, AppError> {
    let ApiPath(mut params) =
        ApiPath::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await?;
    params.remove(name).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("the route has no path parameter {name:?}"))
    })
}
