//! Who is calling: access key id → account, from the world, with the signature checked when
//! the world holds the key's secret.
//!
//! Only the key lookup holds the world's lock; the signature is checked after it is released,
//! so an unauthenticated request costs the others nothing but that lookup.

use ecs_image_rules::AccountId;

use crate::error::GatewayError;
use crate::replay::Replay;
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

/// Where identification looks keys up: the world, behind whatever guards it. Each call takes
/// the world's lock only for its own lookup.
pub(crate) trait KeyDirectory {
    /// The account an access key id belongs to, with the key's secret when the world holds it.
    fn account_for_key(&self, access_key_id: &str) -> Option<(AccountId, Option<String>)>;
    /// The world's first account: the last fallback under [`Auth::NoAuth`].
    fn first_account(&self) -> Option<AccountId>;
}

/// The account a request acts as. With `replay`, a signed request's time and nonce are
/// checked too: the time before the signature, the nonce once the signature holds (so that
/// forged requests cannot use up nonces).
pub(crate) fn authenticate(
    auth: &Auth,
    keys: &impl KeyDirectory,
    request: &SignedRequest<'_>,
    replay: Option<&Replay>,
) -> Result<AccountId, GatewayError> {
    match auth {
        Auth::Verify => {
            let presented = presented(request)?.ok_or(GatewayError::MissingAccessKeyId)?;
            let (account, secret) = keys
                .account_for_key(&presented.access_key_id)
                .ok_or(GatewayError::AccessKeyNotFound)?;
            if let Some(secret) = secret {
                if let Some(replay) = replay {
                    let (name, time) = presented.timestamp(request);
                    replay.check_time(name, time)?;
                    if !presented.signs_nonce() {
                        return Err(GatewayError::UnsignedHeader("x-acs-signature-nonce"));
                    }
                }
                presented.verify(request, &secret)?;
                if let Some(replay) = replay {
                    let (name, nonce) = presented.nonce(request);
                    replay.use_nonce(name, nonce)?;
                }
            }
            Ok(account)
        }
        Auth::NoAuth { default_account } => {
            let presented = presented(request).ok().flatten();
            let known = presented
                .and_then(|p| keys.account_for_key(&p.access_key_id))
                .map(|(account, _)| account);
            known
                .or_else(|| default_account.clone())
                .or_else(|| keys.first_account())
                .ok_or(GatewayError::AccessKeyNotFound)
        }
    }
}
