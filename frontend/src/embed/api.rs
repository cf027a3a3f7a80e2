//! The public endpoints the customer app calls, on top of [`ApiClient`].

use gloo_net::http::Method;
use shared::api::consent::{
    ConsentStatus, ConsentTokenRequest, ReceiptVerification, SubmitRequest, SubmitResponse,
    WithdrawalReceipt,
};
use shared::api::error::ApiError;
use shared::consent::{PublishedKeySet, SignedReceipt};

use crate::api::ApiClient;

/// `POST /api/v1/public/forms/{id}/submissions`: 201 the first time, 200 on a retry.
pub async fn submit(
    client: &ApiClient,
    form_id: &str,
    req: &SubmitRequest,
) -> Result<SubmitResponse, ApiError> {
    let path = format!(
        "/public/forms/{}/submissions",
        js_sys::encode_uri_component(form_id)
    );
    client.fetch(Method::POST, &path, Some(req)).await
}

/// `GET /api/v1/keys`: the server's published signing keys.
pub async fn keys(client: &ApiClient) -> Result<PublishedKeySet, ApiError> {
    client.fetch(Method::GET, "/keys", None::<&()>).await
}

/// `POST /api/v1/public/receipts/verify`.
pub async fn verify(
    client: &ApiClient,
    receipt: &SignedReceipt,
) -> Result<ReceiptVerification, ApiError> {
    client
        .fetch(Method::POST, "/public/receipts/verify", Some(receipt))
        .await
}

/// `POST /api/v1/public/consents/status`.
pub async fn status(
    client: &ApiClient,
    req: &ConsentTokenRequest,
) -> Result<ConsentStatus, ApiError> {
    client
        .fetch(Method::POST, "/public/consents/status", Some(req))
        .await
}

/// `POST /api/v1/public/consents/withdraw`.
pub async fn withdraw(
    client: &ApiClient,
    req: &ConsentTokenRequest,
) -> Result<WithdrawalReceipt, ApiError> {
    client
        .fetch(Method::POST, "/public/consents/withdraw", Some(req))
        .await
}

/// `POST /api/v1/public/consent-requests/open`.
pub async fn open_invitation(
    client: &ApiClient,
    req: &shared::api::imports::InviteToken,
) -> Result<shared::api::imports::ConsentInvitation, ApiError> {
    client
        .fetch(Method::POST, "/public/consent-requests/open", Some(req))
        .await
}

/// `POST /api/v1/public/consent-requests/accept`.
pub async fn accept_invitation(
    client: &ApiClient,
    req: &shared::api::imports::AcceptInvitation,
) -> Result<SubmitResponse, ApiError> {
    client
        .fetch(Method::POST, "/public/consent-requests/accept", Some(req))
        .await
}
