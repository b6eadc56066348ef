//! ModifyImageSharePermission: sharing an image with accounts (blocker Shared) and publishing
//! it as a community image (blocker Public).

use std::collections::BTreeSet;

use crate::error::{Denial, Error};
use crate::ids::{AccountId, ImageId, RegionId};
use crate::model::{ImageStatus, Visibility};
use crate::profile::Profile;
use crate::store::{ImageStore, MAX_SHARES};

use super::{Transition, known_region, own_image, still_being_made};

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
    /// `DryRun`: check only.
    pub dry_run: bool,
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
            dry_run: false,
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
    pub fn with_is_public(self, is_public: bool) -> Self {
        Self {
            is_public: Some(is_public),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// The image's shares become its current shares less `RemoveAccount` plus `AddAccount`
/// (removals first, so one call can make room \[I\]), or `IsPublic` publishes or unpublishes it.
/// Adding an account already shared with, removing one that is not, and publishing a community
/// image change nothing and succeed \[I\]. Unsharing and unpublishing never touch instances
/// already made from the image.
///
/// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless the
/// image is the caller's own in the region; `InvalidParameter.IsPublic` when `IsPublic` comes
/// with AddAccount or RemoveAccount [I when]; `InvalidAccount.Forbbiden` when AddAccount names
/// the caller; when the call grants access (AddAccount or `IsPublic=true`):
/// `OperationDenied.InvalidImageStatus` for a Deprecated image \[D\] or one that is not
/// Available \[I\]; `Image.Public` for AddAccount on a community image [I when];
/// `Image.NotPublic` for `IsPublic=false` on an image that is not one [I when];
/// `QuotaExceed.ShareImageUser` past [`MAX_SHARES`] accounts \[D\].
impl Transition for ModifyImageSharePermission {
    /// The image's visibility after the call.
    type Checked = Visibility;
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        _: &Profile,
    ) -> Result<Visibility, Error> {
        known_region(store, &self.region_id)?;
        let entry = own_image(store, caller, &self.region_id, &self.image_id)?;
        let add = &self.add_accounts[..self.add_accounts.len().min(MAX_ACCOUNTS_PER_CALL)];
        let remove = &self.remove_accounts[..self.remove_accounts.len().min(MAX_ACCOUNTS_PER_CALL)];
        if self.is_public.is_some() && !(add.is_empty() && remove.is_empty()) {
            return Err(Denial::IsPublicConflict.into());
        }
        if add.contains(caller) {
            return Err(Denial::ShareWithSelf.into());
        }
        let image = &entry.image;
        let grants = !add.is_empty() || self.is_public == Some(true);
        if grants {
            if image.status == ImageStatus::Deprecated {
                return Err(Denial::ShareDeprecatedImage.into());
            }
            if image.status != ImageStatus::Available || still_being_made(entry) {
                return Err(Denial::ShareUnavailableImage.into());
            }
        }
        if !add.is_empty() && image.visibility.community {
            return Err(Denial::ImagePublic.into());
        }
        if self.is_public == Some(false) && !image.visibility.community {
            return Err(Denial::ImageNotPublic.into());
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
            return Err(Denial::ShareQuotaExceeded.into());
        }
        Ok(Visibility {
            community: self.is_public.unwrap_or(image.visibility.community),
            shared_with,
        })
    }

    fn change(&self, store: &mut ImageStore, _: &AccountId, visibility: Visibility) {
        store.set_visibility(self.image_id.as_str(), visibility);
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

impl ImageStore {
    /// ModifyImageSharePermission: shares one of the caller's images with accounts, unshares
    /// it, or publishes or unpublishes it as a community image.
    pub fn modify_image_share_permission(
        &mut self,
        caller: &AccountId,
        request: ModifyImageSharePermission,
    ) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }
}
