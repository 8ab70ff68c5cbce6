//! Static assets, compiled into the binary so that Attune works offline, from any working
//! directory, with no CDN (and passes its own Content-Security-Policy).

use axum::http::header;
use axum::response::IntoResponse;

use super::AppError;
use super::extract::Path;

/// (file name, content type, bytes) of everything under static/.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "upload.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/upload.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Result<impl IntoResponse, AppError> {
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    ))
}
