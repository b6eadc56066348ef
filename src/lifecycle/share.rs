//! ModifyImageSharePermission: sharing an image with accounts (blocker Shared) and publishing
//! it as a community image (blocker Public).

use std::collections::BTreeSet;

use crate::ids::{AccountId, ImageId, RegionId};
use crate::model::{ImageStatus, Visibility};
use crate::store::{ImageStore, MAX_SHARES};

use super::{LifecycleError, known_region, own_image, still_being_made};

/// How many `AddAccount.N` and how many `RemoveAccount.N` one call processes; the service
/// ignores the rest [D: "the system processes only the first 10"].
pub const MAX_ACCOUNTS_PER_CALL: usize = 10;

/// ModifyImageSharePermission: shares one of the caller's images with accounts, unshares it,
/// or publishes or unpublishes it as a community image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifyImageSharePermission {
    /// `RegionId`: the image's region.
    pub region_id: RegionId,
    /// `ImageId`: the image.
    pub image_id: ImageId,
    /// `AddAccount.N`: accounts to share with; only the first [`MAX_ACCOUNTS_PER_CALL`] count.
    pub add_accounts: Vec<AccountId>,
    /// `RemoveAccount.N`: accounts to unshare; only the first [`MAX_ACCOUNTS_PER_CALL`] count.
    pub remove_accounts: Vec<AccountId>,
    /// `IsPublic`: publish (`true`) or unpublish (`false`) as a community image.
    pub is_public: Option<bool>,
}

impl ModifyImageSharePermission {
    /// A request that changes nothing yet.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            add_accounts: Vec::new(),
            remove_accounts: Vec::new(),
            is_public: None,
        }
    }

    /// The same request with one more `AddAccount.N`.
    pub fn add_account(mut self, account: AccountId) -> Self {
        self.add_accounts.push(account);
        self
    }

    /// The same request with one more `RemoveAccount.N`.
    pub fn remove_account(mut self, account: AccountId) -> Self {
        self.remove_accounts.push(account);
        self
    }

    /// The same request with `IsPublic` set.
    pub fn is_public(self, is_public: bool) -> Self {
        Self {
            is_public: Some(is_public),
            ..self
        }
    }
}

impl ImageStore {
    /// ModifyImageSharePermission: the image's shares become its current shares less
    /// `RemoveAccount` plus `AddAccount` (removals first, so one call can make room \[I\]), or
    /// `IsPublic` publishes or unpublishes it. Adding an account already shared with, removing
    /// one that is not, and publishing a community image change nothing and succeed \[I\].
    /// Unsharing and unpublishing never touch instances already made from the image.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless
    /// the image is the caller's own in the region; `InvalidParameter.IsPublic` when `IsPublic`
    /// comes with AddAccount or RemoveAccount [I when]; `InvalidAccount.Forbbiden` when
    /// AddAccount names the caller; when the call grants access (AddAccount or `IsPublic=true`):
    /// `OperationDenied.InvalidImageStatus` for a Deprecated image \[D\] or one that is not
    /// Available \[I\]; `Image.Public` for AddAccount on a community image [I when];
    /// `Image.NotPublic` for `IsPublic=false` on an image that is not one [I when];
    /// `QuotaExceed.ShareImageUser` past [`MAX_SHARES`] accounts \[D\].
    pub fn modify_image_share_permission(
        &mut self,
        caller: &AccountId,
        request: ModifyImageSharePermission,
    ) -> Result<(), LifecycleError> {
        known_region(self, &request.region_id)?;
        let entry = own_image(self, caller, &request.region_id, &request.image_id)?;
        let add = &request.add_accounts[..request.add_accounts.len().min(MAX_ACCOUNTS_PER_CALL)];
        let remove =
            &request.remove_accounts[..request.remove_accounts.len().min(MAX_ACCOUNTS_PER_CALL)];
        if request.is_public.is_some() && !(add.is_empty() && remove.is_empty()) {
            return Err(LifecycleError::IsPublicConflict);
        }
        if add.contains(caller) {
            return Err(LifecycleError::ShareWithSelf);
        }
        let image = &entry.image;
        let grants = !add.is_empty() || request.is_public == Some(true);
        if grants {
            if image.status == ImageStatus::Deprecated {
                return Err(LifecycleError::ShareDeprecatedImage);
            }
            if image.status != ImageStatus::Available || still_being_made(entry) {
                return Err(LifecycleError::ShareUnavailableImage);
            }
        }
        if !add.is_empty() && image.visibility.community {
            return Err(LifecycleError::ImagePublic);
        }
        if request.is_public == Some(false) && !image.visibility.community {
            return Err(LifecycleError::ImageNotPublic);
        }
        let shared_with: BTreeSet<AccountId> = image
            .visibility
            .shared_with
            .iter()
            .filter(|a| !remove.contains(a))
            .chain(add)
            .cloned()
            .collect();
        if shared_with.len() > MAX_SHARES {
            return Err(LifecycleError::ShareQuotaExceeded);
        }
        let visibility = Visibility {
            community: request.is_public.unwrap_or(image.visibility.community),
            shared_with,
        };
        self.set_visibility(request.image_id.as_str(), visibility);
        Ok(())
    }
}
