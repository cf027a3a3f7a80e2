//! The endpoints of [`ApiClient`] for withdrawals staff record at a customer's request:
//! a record's consent by purpose, and the withdrawal itself.

use gloo_net::http::Method;
use shared::api::consent::{ConsentStatus, RecordWithdrawalRequest, WithdrawalReceipt};
use shared::api::error::ApiError;

use super::{path_segment, ApiClient};

impl ApiClient {
    /// `GET /api/v1/records/{id}/consent`: what the record's consent covers and what was
    /// withdrawn, by purpose; `not_found` outside the caller's reach.
    pub async fn record_consent(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<ConsentStatus, ApiError> {
        let path = format!("/records/{}/consent", path_segment(id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `POST /api/v1/records/{id}/withdrawals`: the signed receipt of the withdrawal;
    /// `validation_failed` with issues under `purposes`, `reason` and `signature`.
    pub async fn record_withdrawal(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &RecordWithdrawalRequest,
    ) -> Result<WithdrawalReceipt, ApiError> {
        let path = format!("/records/{}/withdrawals", path_segment(id));
        self.fetch(Method::POST, &path, Some(req)).await
    }
}
