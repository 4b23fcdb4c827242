//! Small HTTP helpers shared by the STS and ECS clients.

use super::CredentialsError;

/// Credential documents are a few hundred bytes; anything much larger is not
/// a credentials answer and is not worth buffering.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads the whole body, refusing to buffer more than [`MAX_BODY_BYTES`].
pub(crate) async fn read_limited(
    service: &'static str,
    mut response: reqwest::Response,
) -> Result<Vec<u8>, CredentialsError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(service, e))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(CredentialsError::InvalidResponse {
                service,
                message: format!("response body larger than {MAX_BODY_BYTES} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Turns a reqwest error into a [`CredentialsError::Transport`]. The URL is
/// stripped first: an STS URL carries the signed query (SecurityToken,
/// Signature), which must never reach an error message.
pub(crate) fn transport_error(service: &'static str, error: reqwest::Error) -> CredentialsError {
    let timed_out = error.is_timeout();
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    if timed_out && !message.contains("timed out") {
        message.push_str(" (timed out)");
    }
    CredentialsError::Transport { service, message }
}
