//! Who is calling: access key id → account, from the world, with the signature checked when
//! the world holds the key's secret.

use ecs_image_rules::{AccountId, World};

use crate::error::GatewayError;
use crate::signature::{SignedRequest, presented};

/// How callers are identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Every request presents an access key the world holds; when the world holds its secret,
    /// the signature must match (ACS3-HMAC-SHA256 or RPC V1).
    Verify,
    /// No signature is checked \[I\]. A key the world holds still means its account; any other
    /// key, or none, means the default account: this one, or else the world's first account.
    NoAuth {
        /// The account for unknown or absent keys.
        default_account: Option<AccountId>,
    },
}

/// The account a request acts as.
pub fn authenticate(
    world: &World,
    auth: &Auth,
    request: &SignedRequest<'_>,
) -> Result<AccountId, GatewayError> {
    match auth {
        Auth::Verify => {
            let presented = presented(request)?.ok_or(GatewayError::MissingAccessKeyId)?;
            let (account, key) = world
                .account_for_key(&presented.access_key_id)
                .ok_or(GatewayError::AccessKeyNotFound)?;
            if let Some(secret) = &key.secret {
                presented.verify(request, secret)?;
            }
            Ok(account.id.clone())
        }
        Auth::NoAuth { default_account } => {
            let known = presented(request)
                .ok()
                .flatten()
                .and_then(|p| world.account_for_key(&p.access_key_id))
                .map(|(account, _)| account.id.clone());
            known
                .or_else(|| default_account.clone())
                .or_else(|| world.accounts.first().map(|a| a.id.clone()))
                .ok_or(GatewayError::AccessKeyNotFound)
        }
    }
}
