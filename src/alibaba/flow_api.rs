//! The typed Flow operations of [`CamsClient`]: each builds its business
//! parameters (absent values left out, list parameters as JSON text), goes
//! through [`CamsClient::call`] and reads its typed result from the answer.
//! Also the download of the Flow JSON file `GetFlowJSONAssest` points to.

use std::collections::HashSet;

use tokio_util::sync::CancellationToken;

use super::api_response::{flow_json_asset, Envelope, FlowJsonAsset};
use super::client::{answer_error, invalid, CamsClient, CamsError};
use super::download::{self, DownloadError, DownloadSettings, Downloaded};
use super::flows::{self, CreatedFlow, Done, Flow, FlowPreview, FlowSummary, ModifiedFlow};
use super::operations::Operation;

/// Flows asked for per `ListFlow` page: the size of the documentation's
/// example.
pub const LIST_PAGE_SIZE: usize = 20;
/// `ListFlow` stops with an error after this many pages (10 000 flows at
/// the size asked): a server that never answers an empty page must not
/// loop for ever.
pub const LIST_MAX_PAGES: usize = 500;

/// The Flow JSON asset and the downloaded file, from
/// [`CamsClient::fetch_flow_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowJsonFile {
    pub asset: FlowJsonAsset,
    pub file: Downloaded,
}

/// Why [`CamsClient::fetch_flow_json`] failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Asset(#[from] CamsError),
    /// The download failed; `request_id` is the RequestId of the
    /// `GetFlowJSONAssest` call that returned the URL, for support.
    #[error("{error}{}", request_id_clause(.request_id))]
    Download {
        #[source]
        error: DownloadError,
        request_id: Option<String>,
    },
}

fn request_id_clause(request_id: &Option<String>) -> String {
    request_id
        .as_deref()
        .map(|id| format!(" (the URL came from GetFlowJSONAssest RequestId {id})"))
        .unwrap_or_default()
}

impl FetchError {
    /// The download error, when the download was what failed.
    pub(crate) fn download_error(&self) -> Option<&DownloadError> {
        match self {
            FetchError::Download { error, .. } => Some(error),
            FetchError::Asset(_) => None,
        }
    }
}

/// What `CreateFlow` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlow<'a> {
    pub name: &'a str,
    /// Sent as a JSON list (`["SIGN_UP"]`); CAMS requires at least one.
    pub categories: &'a [String],
    pub cust_space_id: Option<&'a str>,
    pub endpoint_uri: Option<&'a str>,
}

/// What `ModifyFlow` sets. Name and categories are required by CAMS, so
/// they are always sent; `endpoint_uri: Some("")` clears the endpoint,
/// `None` leaves it out of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowChanges<'a> {
    pub flow_id: &'a str,
    pub name: &'a str,
    pub categories: &'a [String],
    pub cust_space_id: Option<&'a str>,
    pub endpoint_uri: Option<&'a str>,
}

/// A business parameter list: `(name, value)`, absent values left out.
type Params<'a> = Vec<(&'static str, &'a str)>;

fn push_opt<'a>(params: &mut Params<'a>, name: &'static str, value: Option<&'a str>) {
    if let Some(value) = value {
        params.push((name, value));
    }
}

/// `CustSpaceId` only when given and non-empty.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

fn check_flow_id(flow_id: &str) -> Result<(), CamsError> {
    if flow_id.trim().is_empty() {
        Err(CamsError::EmptyFlowId)
    } else {
        Ok(())
    }
}

/// Categories as the JSON list text CAMS reads from the query.
fn categories_json(categories: &[String]) -> String {
    serde_json::Value::from(categories.to_vec()).to_string()
}

impl CamsClient {
    /// `CreateFlow`. Never retried once the request may have reached CAMS
    /// (a second flow would be made): only after a connect failure or a
    /// throttling answer.
    pub async fn create_flow(
        &self,
        flow: &NewFlow<'_>,
        cancel: &CancellationToken,
    ) -> Result<CreatedFlow, CamsError> {
        let op = Operation::CreateFlow;
        if flow.name.trim().is_empty() {
            return Err(invalid(op, "the flow name is empty"));
        }
        if flow.categories.is_empty() {
            return Err(invalid(op, "a flow needs at least one category"));
        }
        let categories = categories_json(flow.categories);
        let mut params: Params = vec![("FlowName", flow.name), ("Categories", &categories)];
        push_opt(&mut params, "CustSpaceId", non_empty(flow.cust_space_id));
        push_opt(&mut params, "EndpointUri", flow.endpoint_uri);
        let (envelope, attempts) = self.call(op, &params, None, cancel).await?;
        flows::created_flow(envelope).map_err(|e| answer_error(op, e, attempts))
    }

    /// `GetFlow`.
    pub async fn get_flow(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Flow, CamsError> {
        let op = Operation::GetFlow;
        let (envelope, attempts) = self.flow_call(op, flow_id, cust_space_id, cancel).await?;
        flows::flow(envelope, flow_id).map_err(|e| answer_error(op, e, attempts))
    }

    /// `ListFlow`, every page: Index 1, 2, ... until a page that is empty
    /// or holds only flows already seen (a service may answer the last
    /// page again past the end), at most [`LIST_MAX_PAGES`] pages.
    ///
    /// A short first page is not taken for the last: CAMS documents no
    /// largest page size, and a service that caps pages below
    /// [`LIST_PAGE_SIZE`] would otherwise lose every flow after the first
    /// page. The next pages then ask for as many flows as the first one
    /// gave, so the offset (Index - 1) × Size is the same whether the
    /// service counts it with the size asked or the size it gave. Once a
    /// page has been full at the size asked, the service is known to give
    /// that many, and a shorter page is the last.
    ///
    /// A flow seen on two pages (the list shifted while it was read) is
    /// listed once. `flow_name` is CAMS's own filter, sent as is.
    pub async fn list_flows(
        &self,
        cust_space_id: Option<&str>,
        flow_name: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Vec<FlowSummary>, CamsError> {
        let op = Operation::ListFlow;
        let mut all: Vec<FlowSummary> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut size = LIST_PAGE_SIZE;
        for index in 1..=LIST_MAX_PAGES {
            let page_param = format!(r#"{{"Index":{index},"Size":{size}}}"#);
            let mut params: Params = Vec::new();
            push_opt(&mut params, "CustSpaceId", non_empty(cust_space_id));
            push_opt(&mut params, "FlowName", non_empty(flow_name));
            params.push(("Page", &page_param));
            let (envelope, attempts) = self.call(op, &params, None, cancel).await?;
            let page = flows::flow_page(&envelope).map_err(|e| answer_error(op, e, attempts))?;
            if page.iter().all(|f| seen.contains(&f.flow_id)) {
                return Ok(all);
            }
            // Page 1 sets the size (it gave that many); a later page
            // shorter than it is the last.
            let last = index > 1 && page.len() < size;
            if index == 1 {
                size = page.len().min(LIST_PAGE_SIZE);
            }
            for flow in page {
                if seen.insert(flow.flow_id.clone()) {
                    all.push(flow);
                }
            }
            if last {
                return Ok(all);
            }
        }
        Err(CamsError::Paging {
            detail: format!("more than {LIST_MAX_PAGES} pages of {size} flows, and none was empty"),
        })
    }

    /// `ModifyFlow`.
    pub async fn modify_flow(
        &self,
        changes: &FlowChanges<'_>,
        cancel: &CancellationToken,
    ) -> Result<ModifiedFlow, CamsError> {
        let op = Operation::ModifyFlow;
        check_flow_id(changes.flow_id)?;
        if changes.name.trim().is_empty() {
            return Err(invalid(op, "the flow name is empty"));
        }
        if changes.categories.is_empty() {
            return Err(invalid(op, "a flow needs at least one category"));
        }
        let categories = categories_json(changes.categories);
        let mut params: Params = vec![
            ("FlowId", changes.flow_id),
            ("FlowName", changes.name),
            ("Categories", &categories),
        ];
        push_opt(&mut params, "CustSpaceId", non_empty(changes.cust_space_id));
        push_opt(&mut params, "EndpointUri", changes.endpoint_uri);
        let (envelope, _) = self
            .call(op, &params, Some(changes.flow_id), cancel)
            .await?;
        Ok(flows::modified_flow(envelope))
    }

    /// `UpdateFlowJSONAsset`: CAMS fetches the Flow JSON from `file_path`.
    /// The URL's query (a presigned credential) never appears in errors.
    pub async fn update_flow_json_asset(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        file_path: &str,
        cancel: &CancellationToken,
    ) -> Result<Done, CamsError> {
        let op = Operation::UpdateFlowJsonAsset;
        check_flow_id(flow_id)?;
        if file_path.trim().is_empty() {
            return Err(invalid(op, "the Flow JSON location (FilePath) is empty"));
        }
        let mut params: Params = vec![("FlowId", flow_id), ("FilePath", file_path)];
        push_opt(&mut params, "CustSpaceId", non_empty(cust_space_id));
        let (envelope, _) = self.call(op, &params, Some(flow_id), cancel).await?;
        Ok(flows::done(envelope))
    }

    /// Calls `GetFlowJSONAssest` for `flow_id` (and `cust_space_id`, when
    /// given and non-empty).
    pub async fn get_flow_json_asset(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<FlowJsonAsset, CamsError> {
        let op = Operation::GetFlowJsonAsset;
        let (envelope, attempts) = self.flow_call(op, flow_id, cust_space_id, cancel).await?;
        let mut asset = flow_json_asset(envelope).map_err(|e| answer_error(op, e, attempts))?;
        if asset.flow_id.is_empty() {
            asset.flow_id = flow_id.to_owned();
        }
        Ok(asset)
    }

    /// `GetFlowPreviewUrl`.
    pub async fn get_flow_preview_url(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<FlowPreview, CamsError> {
        let op = Operation::GetFlowPreviewUrl;
        let (envelope, attempts) = self.flow_call(op, flow_id, cust_space_id, cancel).await?;
        flows::flow_preview(envelope).map_err(|e| answer_error(op, e, attempts))
    }

    /// `PublishFlow`.
    pub async fn publish_flow(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Done, CamsError> {
        let op = Operation::PublishFlow;
        let (envelope, _) = self.flow_call(op, flow_id, cust_space_id, cancel).await?;
        Ok(flows::done(envelope))
    }

    /// `DeprecateFlow`.
    pub async fn deprecate_flow(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Done, CamsError> {
        let op = Operation::DeprecateFlow;
        let (envelope, _) = self.flow_call(op, flow_id, cust_space_id, cancel).await?;
        Ok(flows::done(envelope))
    }

    /// `DeleteFlow`.
    pub async fn delete_flow(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Done, CamsError> {
        let op = Operation::DeleteFlow;
        let (envelope, _) = self.flow_call(op, flow_id, cust_space_id, cancel).await?;
        Ok(flows::done(envelope))
    }

    /// Downloads `file_path` (the `FilePath` of an asset) as it is, with its
    /// SHA-256. Not paced: the file host is not CAMS.
    pub async fn download(
        &self,
        file_path: &str,
        cancel: &CancellationToken,
    ) -> Result<Downloaded, DownloadError> {
        let settings = DownloadSettings {
            retry: self.inner.retry,
            max_bytes: self.inner.max_content_bytes,
            request_timeout: self.inner.request_timeout,
        };
        download::download(&self.inner.http, settings, file_path, cancel).await
    }

    /// `GetFlowJSONAssest` then the download. If the presigned URL turns out
    /// to have expired (OSS 403 "Request has expired"), asks CAMS once more
    /// for a fresh URL and downloads again.
    pub async fn fetch_flow_json(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<FlowJsonFile, FetchError> {
        let asset = self
            .get_flow_json_asset(flow_id, cust_space_id, cancel)
            .await?;
        let failed = |error: DownloadError, asset: &FlowJsonAsset| FetchError::Download {
            error,
            request_id: asset.request_id.clone(),
        };
        match self.download(&asset.file_path, cancel).await {
            Ok(file) => Ok(FlowJsonFile { asset, file }),
            Err(e) if e.is_expired_url() => {
                tracing::debug!(
                    flow_id,
                    "presigned URL expired; asking CAMS for a fresh one"
                );
                let asset = self
                    .get_flow_json_asset(flow_id, cust_space_id, cancel)
                    .await?;
                match self.download(&asset.file_path, cancel).await {
                    Ok(file) => Ok(FlowJsonFile { asset, file }),
                    Err(e) => Err(failed(e, &asset)),
                }
            }
            Err(e) => Err(failed(e, &asset)),
        }
    }

    /// An operation on one flow: `FlowId` and the optional `CustSpaceId`.
    async fn flow_call(
        &self,
        op: Operation,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<(Envelope, u32), CamsError> {
        check_flow_id(flow_id)?;
        let mut params: Params = vec![("FlowId", flow_id)];
        push_opt(&mut params, "CustSpaceId", non_empty(cust_space_id));
        self.call(op, &params, Some(flow_id), cancel).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_compact_json_text() {
        assert_eq!(
            categories_json(&["SIGN_UP".to_owned(), "OTHER".to_owned()]),
            r#"["SIGN_UP","OTHER"]"#
        );
        assert_eq!(categories_json(&["a\"b".to_owned()]), r#"["a\"b"]"#);
    }

    #[test]
    fn absent_and_empty_values_are_left_out() {
        let mut params: Params = Vec::new();
        push_opt(&mut params, "A", None);
        push_opt(&mut params, "B", Some(""));
        push_opt(&mut params, "C", non_empty(Some("")));
        push_opt(&mut params, "D", non_empty(Some("d")));
        assert_eq!(params, vec![("B", ""), ("D", "d")]);
        assert!(check_flow_id(" ").is_err());
        assert!(check_flow_id("f").is_ok());
    }
}
