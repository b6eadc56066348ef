//! `ClientToken` idempotence: one table for every action that takes a token (CreateImage,
//! RunInstances, CopyImage), so that a client's retry creates nothing twice
//! (docs/lifecycle.md, idempotence).
//!
//! What the docs say \[D: "How to ensure idempotence", ECS developer reference, updated
//! 2024-12-17\]: a token is a case-sensitive string of at most 64 ASCII characters that the
//! client makes unique per request; the same token with the same parameters answers what the
//! first request answered and changes nothing; the same token with other parameters is refused
//! with `IdempotentParameterMismatch`.
//!
//! Our decisions \[I\]:
//! - a token is scoped to the calling account and the action: two accounts, or CreateImage and
//!   RunInstances, may use the same token without meeting;
//! - "the same parameters" is every modelled parameter of the typed request except `ClientToken`
//!   and `DryRun`, compared through a 64-bit fingerprint of the request (FNV-1a over its
//!   `Debug` rendering): a request type that gains a field makes the fingerprints of a state
//!   saved before it differ, so a repeat across such an upgrade is a mismatch, never a silent
//!   second creation;
//! - only a call that succeeded is remembered: a refused call leaves no token, so its retry is
//!   checked again; `DryRun` neither reads nor records a token;
//! - a repeat answers the first answer even if what it made has since changed or gone (the
//!   token remembers the call, not the resource).
//!
//! Memory: one entry per successful call that carried a token, kept for the store's life. It
//! grows with the requests made, not with the world, and a lookup is one hash probe.

use std::collections::HashMap;
use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::error::{Denial, Error, Malformed};
use crate::ids::{AccountId, ImageId, InstanceId, TaskId};

/// The longest `ClientToken`, in ASCII characters \[D\].
pub const MAX_CLIENT_TOKEN_LEN: usize = 64;

/// A `ClientToken`: 1 to [`MAX_CLIENT_TOKEN_LEN`] ASCII characters, compared case-sensitively
/// \[D\]. Anything else is `InvalidClientToken.ValueNotSupported` \[D: RunInstances\].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientToken(CompactString);

impl ClientToken {
    /// Validates a token.
    pub fn new(token: &str) -> Result<Self, Error> {
        if token.is_empty() || token.len() > MAX_CLIENT_TOKEN_LEN || !token.is_ascii() {
            return Err(Error::Malformed(Malformed::ClientToken));
        }
        Ok(Self(CompactString::from(token)))
    }

    /// The token as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientToken {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Self::new(&s)
    }
}

impl std::str::FromStr for ClientToken {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::new(s)
    }
}

impl From<ClientToken> for String {
    fn from(token: ClientToken) -> String {
        String::from(token.as_str())
    }
}

impl fmt::Debug for ClientToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientToken({:?})", self.as_str())
    }
}

impl fmt::Display for ClientToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The actions whose tokens the table keeps, each a scope of its own \[I\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TokenAction {
    /// CreateImage.
    CreateImage,
    /// RunInstances.
    RunInstances,
    /// CopyImage.
    CopyImage,
}

/// What a call with a token answered the first time, and answers every repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FirstAnswer {
    /// CreateImage: the new image.
    Image(ImageId),
    /// CopyImage: the copy and the task making it.
    Copy {
        /// The new image.
        image: ImageId,
        /// The copy task.
        task: TaskId,
    },
    /// RunInstances: the new instances, in the order made.
    Instances(Vec<InstanceId>),
}

impl FirstAnswer {
    /// The action that answers so: the scope of the token that remembers it. Keyed by it, a
    /// remembered answer is always of the action that recalls it.
    pub const fn action(&self) -> TokenAction {
        match self {
            FirstAnswer::Image(_) => TokenAction::CreateImage,
            FirstAnswer::Copy { .. } => TokenAction::CopyImage,
            FirstAnswer::Instances(_) => TokenAction::RunInstances,
        }
    }
}

/// The fingerprint of a request's parameters (see the module's notes): FNV-1a, 64 bits, over
/// the request's `Debug` rendering with its token and `DryRun` cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// The fingerprint of a rendering.
    pub(crate) fn of(rendering: &str) -> Self {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        Self(
            rendering
                .bytes()
                .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME)),
        )
    }
}

/// Written as 16 hex digits: a JSON number past 2^53 is not read back exactly by every
/// language that reads a saved state.
impl From<Fingerprint> for String {
    fn from(f: Fingerprint) -> String {
        format!("{:016x}", f.0)
    }
}

impl TryFrom<String> for Fingerprint {
    type Error = std::num::ParseIntError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        u64::from_str_radix(&s, 16).map(Self)
    }
}

/// One remembered call, as a saved state lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RememberedToken {
    /// The calling account.
    pub account: AccountId,
    /// The token it carried.
    pub token: ClientToken,
    /// Its parameters' fingerprint.
    pub fingerprint: Fingerprint,
    /// What it answered, which also says the action called ([`FirstAnswer::action`]).
    pub answer: FirstAnswer,
}

type Key = (AccountId, TokenAction, ClientToken);

/// The store's table of remembered calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TokenTable {
    calls: HashMap<Key, (Fingerprint, FirstAnswer)>,
}

impl TokenTable {
    /// The first answer to a repeat of a remembered call; `None` for a token not seen in this
    /// scope; `IdempotentParameterMismatch` for a token seen with other parameters.
    pub(crate) fn recall(
        &self,
        account: &AccountId,
        action: TokenAction,
        token: &ClientToken,
        fingerprint: Fingerprint,
    ) -> Result<Option<&FirstAnswer>, Error> {
        match self.calls.get(&(account.clone(), action, token.clone())) {
            None => Ok(None),
            Some((seen, answer)) if *seen == fingerprint => Ok(Some(answer)),
            Some(_) => Err(Denial::IdempotentParameterMismatch.into()),
        }
    }

    /// Remembers a call that has just succeeded.
    pub(crate) fn remember(&mut self, call: RememberedToken) {
        self.calls.insert(
            (call.account, call.answer.action(), call.token),
            (call.fingerprint, call.answer),
        );
    }

    /// How many calls are remembered.
    pub(crate) fn len(&self) -> usize {
        self.calls.len()
    }

    /// Every remembered call, sorted by account, action and token (a saved state's order).
    pub(crate) fn list(&self) -> Vec<RememberedToken> {
        let mut list: Vec<RememberedToken> = self
            .calls
            .iter()
            .map(
                |((account, _, token), (fingerprint, answer))| RememberedToken {
                    account: account.clone(),
                    token: token.clone(),
                    fingerprint: *fingerprint,
                    answer: answer.clone(),
                },
            )
            .collect();
        list.sort_by(|a, b| {
            (&a.account, a.answer.action(), &a.token).cmp(&(
                &b.account,
                b.answer.action(),
                &b.token,
            ))
        });
        list
    }
}
