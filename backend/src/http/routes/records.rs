//! Records of a round as downloads: each data file, or the signed bundle of them all; the
//! JSON Schema of `record.json`; the public key that checks a bundle's signature. Files stream
//! as they are read from one snapshot of the database.

use crate::domain;
use crate::http::auth::{Admin, CurrentSession, MaybeAccount};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::record::{DataFile, Exporter, Visibility, bundle};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::now_ms;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::{ApiError, ErrorCode, FieldError, ImportedRecord};
use std::io::Write;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    // A bundle may be larger than other bodies.
    let imports = OpenApiRouter::new()
        .routes(routes!(import_record))
        .layer(axum::extract::DefaultBodyLimit::max(IMPORT_MAX));
    OpenApiRouter::new()
        .routes(routes!(download))
        .routes(routes!(record_schema))
        .routes(routes!(record_key))
        .routes(routes!(audit_head))
        .merge(imports)
}

/// Largest bundle an administrator may import through the API, in bytes (the command line has
/// no limit).
pub const IMPORT_MAX: usize = 64 * 1024 * 1024;

/// Starts a consultation here from another instance's published record (administrators with
/// two-factor sign-in): the bundle (`application/zip`, at most 64 MB) is checked against the
/// public key of the instance that signed it, given in the `Concord-Public-Key` header (the key
/// line of its `/.well-known/concord-record-key.pub`), then loaded whole or not at all.
#[utoipa::path(post, path = "/api/v1/imports", tag = "records",
    params(("Concord-Public-Key" = String, Header,
        description = "The signer's public key: the base64 line of its minisign .pub file")),
    request_body(content = Vec<u8>, content_type = "application/zip", description = "The bundle"),
    responses(
        (status = 201, body = ImportedRecord),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 409, body = ApiError, description = "A consultation with the record's address exists"),
        (status = 413, body = ApiError, description = "Larger than 64 MB"),
        (status = 415, body = ApiError, description = "Not sent as application/zip"),
        (status = 422, body = ApiError, description = "No usable key, or the bundle is refused: not signed by that key, changed, damaged"),
    ))]
async fn import_record(
    State(state): State<AppState>,
    Admin(admin): Admin,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(axum::http::StatusCode, ApiJson<ImportedRecord>), AppError> {
    use crate::record::import::ImportError;
    let refused =
        |status: axum::http::StatusCode, code: ErrorCode, message: String| AppError::Rejected {
            status,
            code,
            message,
        };
    let zip = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/zip"));
    if !zip {
        return Err(refused(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the bundle as it was downloaded, with `Content-Type: application/zip`.".into(),
        ));
    }
    let key = headers
        .get("concord-public-key")
        .and_then(|k| k.to_str().ok())
        .and_then(|k| bundle::public_key_from(k).ok())
        .ok_or_else(|| {
            Refusal::Validation(vec![FieldError::new(
                "public_key",
                "invalid",
                "Give the public key of the instance that signed the record: the line after \
                 the comment in its concord-record-key.pub.",
            )])
        })?;
    let bytes = body.map_err(|rejection| {
        refused(
            rejection.status(),
            ErrorCode::PayloadTooLarge,
            format!(
                "The bundle is larger than {} MB, the most the API takes; use `concord import` \
                 on the server.",
                IMPORT_MAX / (1024 * 1024)
            ),
        )
    })?;
    match crate::record::import::import(
        &state.store,
        std::io::Cursor::new(bytes),
        &key,
        Some(admin.id),
    )
    .await
    {
        Ok(imported) => {
            tracing::info!(event = "record_imported", by = admin.id,
                slug = %imported.consultation, "record imported");
            Ok((
                axum::http::StatusCode::CREATED,
                ApiJson(ImportedRecord {
                    consultation: imported.consultation,
                    round: imported.round,
                    comments: imported.comments as u64,
                    positions: imported.positions as u64,
                }),
            ))
        }
        Err(ImportError::Exists(_)) => Err(Refusal::ConsultationExists.into()),
        Err(ImportError::Refused(why)) => Err(refused(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::BundleRefused,
            format!("Nothing was imported: {why}."),
        )),
        Err(ImportError::Invalid(why)) => Err(refused(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::BundleRefused,
            format!(
                "Nothing was imported: record.json is not a record this version reads ({why})."
            ),
        )),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The file a bundle download is named by.
pub const BUNDLE: &str = "bundle.zip";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RecordQuery {
    /// `public` (the default) or `convener`.
    #[param(inline)]
    visibility: Option<Visibility>,
}

/// One file of a round's record, or `bundle.zip` with all of them, `manifest.json` and its
/// minisign signature. The public record (pseudonymous, hidden comments without their text)
/// is anyone's once the round is published; the convener record (complete) is its conveners'
/// at any time, with two-factor sign-in. Files: `record.json`, `clauses.csv`,
/// `proposals.csv`, `comments.csv`, `positions.csv`, `tallies.csv`, `moderation.csv`,
/// `responses.csv`, `minority-statements.csv`, `bundle.zip`.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/record/{file}",
    tag = "records",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug"),
        ("file" = String, Path, description = "The file's name, or `bundle.zip`"),
        RecordQuery,
    ),
    responses(
        (status = 200, description = "The file, streamed: a CSV file (UTF-8, with a header \
            row), `record.json`, `report.html` (the printable report) or `bundle.zip`", content(
            (String = "text/csv"),
            (serde_json::Value = "application/json"),
            (String = "text/html"),
            (Vec<u8> = "application/zip"),
        )),
        (status = 401, body = ApiError, description = "The convener record, not signed in"),
        (status = 403, body = ApiError, description = "The convener record, not a convener"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The public record, round not published"),
    ))]
async fn download(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    CurrentSession(session): CurrentSession,
    ApiPath((slug, round, file)): ApiPath<(String, String, String)>,
    ApiQuery(query): ApiQuery<RecordQuery>,
) -> Result<Response, AppError> {
    let wanted = match file.as_str() {
        BUNDLE => None,
        name => Some(DataFile::from_name(name).ok_or(Refusal::NotFound("record file"))?),
    };
    let (consultation, row) = super::rounds::find_round(&state, &slug, &round).await?;
    let visibility = query.visibility.unwrap_or(Visibility::Public);
    let reader = (account.as_ref(), session.as_deref());
    let asked = (visibility, file.as_str());
    domain::access::require_record(&state, reader, &consultation, &row, asked).await?;
    let source = crate::record::source::snapshot(&state.store).await?;
    let key = state.store.pseudonym_key().await?;
    let signer = match wanted {
        None => Some(state.store.record_signer().await?),
        Some(_) => None,
    };
    let round_id = row.id;
    let body = streamed(move |out| {
        let mut exporter = Exporter::new(source, round_id, visibility, key)?;
        match (wanted, signer) {
            (Some(file), _) => exporter.write(file, out),
            (None, Some(signer)) => {
                // A ZIP is written with seeks: build it in a temporary file, then send it.
                let mut zip = tempfile::tempfile()?;
                bundle::write(&mut exporter, &signer, now_ms(), &mut zip, &mut |_| {})?;
                std::io::Seek::rewind(&mut zip)?;
                std::io::copy(&mut zip, out)?;
                Ok(())
            }
            (None, None) => anyhow::bail!("no signer for a bundle"),
        }
    });
    let name = format!(
        "{}-{}-{}-{}",
        consultation.slug,
        round,
        visibility.as_str(),
        file
    );
    let content_type = wanted.map_or("application/zip", DataFile::content_type);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The printable report opens in the browser, under the reading pages' policy (its one
    // inline stylesheet); every other file is saved.
    let report = wanted == Some(DataFile::Report);
    let disposition = if report { "inline" } else { "attachment" };
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if report {
        headers.insert(header::CONTENT_SECURITY_POLICY, crate::http::read::policy());
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A response body written by `write` on a blocking thread and sent as it is written. If
/// `write` fails half-way the body breaks off, so the client never mistakes a part for the whole.
pub(crate) fn streamed(
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()> + Send + 'static,
) -> Body {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let failed = sender.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = Chunks {
            sender,
            buffer: Vec::with_capacity(CHUNK),
        };
        let written = write(&mut out).and_then(|()| Ok(out.flush()?));
        if let Err(e) = written {
            tracing::warn!(error = %e, "streamed answer failed");
            let _ = failed.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver))
}

/// How much a download sends at a time.
const CHUNK: usize = 1 << 16;

/// A writer that hands what it is given to the response body in chunks, waiting while the
/// client is slower than the export (so memory stays bounded).
struct Chunks {
    sender: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

/// The JSON Schema of `record.json`, generated from the types that write it.
#[utoipa::path(get, path = "/api/v1/schema/record.json", tag = "records",
    responses((status = 200, description = "JSON Schema (draft 2020-12)", content_type = "application/schema+json")))]
async fn record_schema() -> Response {
    let mut response = axum::Json(crate::record::schema()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/schema+json"),
    );
    response
}

/// The public key that signs this instance's record bundles, as a minisign `.pub` file: check
/// a bundle's `manifest.json` with `minisign -Vm manifest.json -p concord-record-key.pub`.
/// After the key was replaced, the earlier keys follow the one in use, each after a comment
/// saying when it signed; `concord verify --public-key` accepts a bundle signed by any of them
/// within its dates.
#[utoipa::path(get, path = "/.well-known/concord-record-key.pub", tag = "records",
    responses((status = 200, description = "minisign public key file", content_type = "text/plain")))]
async fn record_key(State(state): State<AppState>) -> Result<Response, AppError> {
    let file = crate::record::bundle::published_keys(&state.store.record_keys().await?);
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], file).into_response())
}

/// The audit chain's current head — its length and last hash — signed with the record key, for
/// observers outside to keep: `concord verify --expect-head ENTRIES:HASH` later shows whether
/// the chain still holds it, so it cannot be cut short or rewritten unseen.
#[utoipa::path(get, path = "/.well-known/concord-audit-head", tag = "records",
    responses((status = 200, body = shared::AuditHeadStatement)))]
async fn audit_head(State(state): State<AppState>) -> Result<Response, AppError> {
    let (entries, hash) = state.store.audit_head().await?;
    let at = crate::record::timestamp(crate::store::now_ms());
    let statement = format!("concord audit head {entries}:{hash} at {at}");
    let signer = state.store.record_signer().await?;
    let signature = signer
        .sign(statement.as_bytes(), &statement)
        .map_err(AppError::Internal)?;
    Ok(axum::Json(shared::AuditHeadStatement {
        entries,
        hash,
        at,
        statement,
        signature,
    })
    .into_response())
}
