//! The actions that take a `ClientToken` (CreateImage, RunInstances, CopyImage) as one
//! mechanism: before its check, a request with a token asks the store's token table
//! (crate::idempotence) whether the caller made this call before; after its change, the store
//! remembers it. `DryRun` does neither.

use std::fmt::Debug;

use crate::error::Error;
use crate::idempotence::{ClientToken, Fingerprint, FirstAnswer, RememberedToken, TokenAction};
use crate::ids::{AccountId, ImageId, InstanceId};
use crate::profile::Profile;
use crate::store::ImageStore;

use super::{CopyImage, CreateImage, NewImage, RunInstances, Transition};

/// An action whose request may carry a `ClientToken`.
pub(crate) trait Idempotent: Transition + Debug + Clone {
    /// The token's scope.
    const ACTION: TokenAction;
    /// `ClientToken`, when sent.
    fn client_token(&self) -> Option<&ClientToken>;
    /// The same request without its token and with `DryRun` off: what "the same parameters"
    /// compares.
    fn parameters(&self) -> Self;
    /// The answer as the token table keeps it.
    fn first_answer(answer: &Self::Answer) -> FirstAnswer;
    /// A kept answer as this action answers it; `None` for another action's (the table never
    /// gives one: it keys each answer by [`FirstAnswer::action`]).
    fn repeat(first: &FirstAnswer) -> Option<Self::Answer>;
}

/// The two methods every request with `client_token` and `dry_run` fields shares.
macro_rules! token_fields {
    () => {
        fn client_token(&self) -> Option<&ClientToken> {
            self.client_token.as_ref()
        }
        fn parameters(&self) -> Self {
            Self {
                client_token: None,
                dry_run: false,
                ..self.clone()
            }
        }
    };
}

impl Idempotent for CreateImage {
    const ACTION: TokenAction = TokenAction::CreateImage;
    token_fields!();
    fn first_answer(answer: &ImageId) -> FirstAnswer {
        FirstAnswer::Image(answer.clone())
    }
    fn repeat(first: &FirstAnswer) -> Option<ImageId> {
        match first {
            FirstAnswer::Image(image) => Some(image.clone()),
            _ => None,
        }
    }
}

impl Idempotent for CopyImage {
    const ACTION: TokenAction = TokenAction::CopyImage;
    token_fields!();
    fn first_answer(answer: &NewImage) -> FirstAnswer {
        FirstAnswer::Copy {
            image: answer.image.clone(),
            task: answer.task.clone(),
        }
    }
    fn repeat(first: &FirstAnswer) -> Option<NewImage> {
        match first {
            FirstAnswer::Copy { image, task } => Some(NewImage {
                image: image.clone(),
                task: task.clone(),
            }),
            _ => None,
        }
    }
}

impl Idempotent for RunInstances {
    const ACTION: TokenAction = TokenAction::RunInstances;
    token_fields!();
    fn first_answer(answer: &Vec<InstanceId>) -> FirstAnswer {
        FirstAnswer::Instances(answer.clone())
    }
    fn repeat(first: &FirstAnswer) -> Option<Vec<InstanceId>> {
        match first {
            FirstAnswer::Instances(instances) => Some(instances.clone()),
            _ => None,
        }
    }
}

/// The token and parameters' fingerprint of a request the table answers: none without a
/// token, or with `DryRun`.
fn token_call<R: Idempotent>(request: &R) -> Option<(&ClientToken, Fingerprint)> {
    if request.dry_run() {
        return None;
    }
    let token = request.client_token()?;
    Some((
        token,
        Fingerprint::of(&format!("{:?}", request.parameters())),
    ))
}

/// The first answer to a repeated call; `None` for a call the table does not answer;
/// `IdempotentParameterMismatch` for a token the caller used with other parameters.
pub(super) fn recall<R: Idempotent>(
    store: &ImageStore,
    caller: &AccountId,
    request: &R,
) -> Result<Option<R::Answer>, Error> {
    let Some((token, fingerprint)) = token_call(request) else {
        return Ok(None);
    };
    Ok(store
        .tokens()
        .recall(caller, R::ACTION, token, fingerprint)?
        .and_then(R::repeat))
}

impl ImageStore {
    /// Carries out a checked request and remembers its token, if it has one.
    pub(super) fn change_remembered<R: Idempotent>(
        &mut self,
        caller: &AccountId,
        request: &R,
        checked: R::Checked,
    ) -> R::Answer {
        let answer = request.change(self, caller, checked);
        if let Some((token, fingerprint)) = token_call(request) {
            self.remember_token(RememberedToken {
                account: caller.clone(),
                token: token.clone(),
                fingerprint,
                answer: R::first_answer(&answer),
            });
        }
        answer
    }

    /// What [`ImageStore::transition`] does, for an action that takes a token: a repeated call
    /// answers its first answer and changes nothing.
    pub(super) fn idempotent<R: Idempotent>(
        &mut self,
        caller: &AccountId,
        request: &R,
        profile: &Profile,
    ) -> Result<R::Answer, Error> {
        if let Some(first) = recall(self, caller, request)? {
            return Ok(first);
        }
        let checked = request.check(self, caller, profile)?;
        if request.dry_run() {
            return Err(Error::DryRunOperation);
        }
        Ok(self.change_remembered(caller, request, checked))
    }
}
