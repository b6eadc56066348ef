//! A world: the accounts that can call the API (with their access keys) and a store.
//!
//! This is the one file format shared by the conformance vectors' test groups and the
//! emulator's `--world` and `--state` files. Access keys are plain data here; verifying a
//! signature with them is the emulator's business.

use serde::{Deserialize, Serialize};

use crate::ids::AccountId;
use crate::store::ImageStore;

/// An access key: the id a client sends and, when known, the secret it signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessKey {
    /// `AccessKeyId`, e.g. `LTAI…`.
    pub id: String,
    /// The secret; without it a signature cannot be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct World {
    /// The accounts that can call the API.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Regions, images, tasks and instances.
    pub store: ImageStore,
}

impl World {
    /// The account that owns an access key id.
    pub fn account_for_key(&self, access_key_id: &str) -> Option<(&Account, &AccessKey)> {
        self.accounts.iter().find_map(|account| {
            let key = account.access_keys.iter().find(|k| k.id == access_key_id)?;
            Some((account, key))
        })
    }
}
