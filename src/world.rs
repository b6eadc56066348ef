//! A world: the accounts that can call the API (with their access keys) and a store.
//!
//! This is the one file format shared by the conformance vectors' test groups and the
//! emulator's `--world` and `--state` files. Access keys are plain data here; verifying a
//! signature with them is the emulator's business.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::AccountId;
use crate::store::ImageStore;

/// An access key: the id a client sends and, when known, the secret it signs with.
///
/// `Debug` shows the id and whether there is a secret, never the secret itself, so a world
/// can be logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessKey {
    /// `AccessKeyId`, e.g. `LTAI…`.
    pub id: String,
    /// The secret; without it a signature cannot be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// An account that can call the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// The account id.
    pub id: AccountId,
    /// Its access keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_keys: Vec<AccessKey>,
}

impl Account {
    /// An account without access keys.
    pub fn new(id: AccountId) -> Self {
        Self {
            id,
            access_keys: Vec::new(),
        }
    }
}

/// Accounts and the store they act on.
///
/// Deserializing refuses a world in which an account id or an access key id appears twice,
/// since a key must name exactly one account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, try_from = "RawWorld")]
pub struct World {
    /// The accounts that can call the API.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Regions, images, tasks and instances.
    pub store: ImageStore,
}

/// Why a world was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorldError {
    /// Two accounts have the same id.
    #[error("account {0} appears twice")]
    DuplicateAccount(AccountId),
    /// Two access keys have the same id.
    #[error("access key {0} appears twice")]
    DuplicateAccessKey(String),
}

/// A world as read, before its accounts are checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawWorld {
    #[serde(default)]
    accounts: Vec<Account>,
    store: ImageStore,
}

impl TryFrom<RawWorld> for World {
    type Error = WorldError;
    fn try_from(raw: RawWorld) -> Result<Self, WorldError> {
        let world = World {
            accounts: raw.accounts,
            store: raw.store,
        };
        world.check()?;
        Ok(world)
    }
}

impl World {
    /// Refuses a world in which an account id or an access key id appears twice.
    pub fn check(&self) -> Result<(), WorldError> {
        let mut accounts = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for account in &self.accounts {
            if !accounts.insert(&account.id) {
                return Err(WorldError::DuplicateAccount(account.id.clone()));
            }
            for key in &account.access_keys {
                if !keys.insert(key.id.as_str()) {
                    return Err(WorldError::DuplicateAccessKey(key.id.clone()));
                }
            }
        }
        Ok(())
    }

    /// The account that owns an access key id.
    pub fn account_for_key(&self, access_key_id: &str) -> Option<(&Account, &AccessKey)> {
        self.accounts.iter().find_map(|account| {
            let key = account.access_keys.iter().find(|k| k.id == access_key_id)?;
            Some((account, key))
        })
    }
}
