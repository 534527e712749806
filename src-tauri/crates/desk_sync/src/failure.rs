//! Why a sync round or an enrolment did not finish, as a closed set of codes the window and the
//! CLI act on, each with words an officer understands. Transport details stay out of the words
//! (they go to the outbox's last error as the code only).

use sync::client::ClientError;
use sync::refusal::RefusalCode;
use vault::VaultError;

/// Why sync did not finish.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The desk has not been enrolled with head office.
    #[error(
        "this desk is not connected to head office yet: an administrator enters head office's code in Settings"
    )]
    NotEnrolled,
    /// Enrolling a desk that is enrolled (and not revoked, or re-enrolment was not asked for).
    #[error("this desk is already connected to head office")]
    AlreadyEnrolled,
    /// Head office revoked this desk.
    #[error(
        "head office has revoked this desk: it is read-only; an administrator can connect it again with a new code"
    )]
    Revoked,
    /// The desk locked while the round was under way; it goes on after the next unlock.
    #[error("the desk was locked; sync goes on after the next unlock")]
    Locked,
    /// Only an administrator enrols the desk.
    #[error("only an administrator connects the desk to head office")]
    Forbidden,
    /// Head office could not be reached (offline, connection cut, timeout).
    #[error("head office cannot be reached; everything is kept and goes on the next sync")]
    Offline,
    /// Head office presented another certificate than the pinned one.
    #[error(
        "the server did not prove it is our head office (its certificate is not the one this desk was connected with); nothing was sent"
    )]
    Certificate,
    /// Head office refused (the code says why).
    #[error("head office refused the sync ({code}); everything is kept")]
    Refused {
        /// Head office's refusal code.
        code: &'static str,
    },
    /// Head office is busy or its store is down; try later.
    #[error("head office is busy; sync goes on by itself shortly")]
    Busy,
    /// An answer that is not validly signed by head office, or does not fit this desk.
    #[error(
        "an answer claiming to be from head office was not genuine or did not fit this desk, and was refused; nothing was changed"
    )]
    Forged(String),
    /// The enrolment code is not a Branch Desk code (mistyped, cut off).
    #[error("this is not a valid head office code; check that it was copied whole")]
    BadCode,
    /// The enrolment code has expired, or was used already.
    #[error("this head office code has expired or was used already; ask head office for a new one")]
    CodeSpent,
    /// Another sync round of this desk is under way (the window's, or `branchdesk sync now`).
    #[error("a sync of this desk is already under way")]
    Running,
    /// This desk could not do its part (a record that cannot be sent as it is).
    #[error("this desk could not prepare the sync: {0}")]
    Internal(String),
    /// A vault error (disk full, damage).
    #[error("{0}")]
    Vault(VaultError),
}

impl Failure {
    /// The closed code the window translates and acts on.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::NotEnrolled => "not_enrolled",
            Failure::AlreadyEnrolled => "already_enrolled",
            Failure::Revoked => "revoked",
            Failure::Locked => "locked",
            Failure::Forbidden => "forbidden",
            Failure::Offline => "offline",
            Failure::Certificate => "certificate",
            Failure::Refused { .. } => "refused",
            Failure::Busy => "busy",
            Failure::Forged(_) => "forged",
            Failure::BadCode => "bad_code",
            Failure::CodeSpent => "code_spent",
            Failure::Running => "running",
            Failure::Internal(_) => "internal",
            Failure::Vault(_) => "vault",
        }
    }

    /// What goes into the outbox's last error for the records a failed push carried.
    pub(crate) fn outbox_note(&self) -> &'static str {
        match self {
            Failure::Refused { code } => code,
            other => other.code(),
        }
    }

    /// Whether head office said no (the records are marked refused) rather than not answering.
    pub(crate) fn is_refusal(&self) -> bool {
        matches!(self, Failure::Refused { .. } | Failure::Revoked)
    }
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::NotEnrolled => Failure::NotEnrolled,
            VaultError::AlreadyEnrolled => Failure::AlreadyEnrolled,
            VaultError::Revoked => Failure::Revoked,
            VaultError::Forbidden => Failure::Forbidden,
            VaultError::HeadOfficeMismatch(m) => Failure::Forged(m),
            other => Failure::Vault(other),
        }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Certificate => Failure::Certificate,
            ClientError::Transport(_) => Failure::Offline,
            ClientError::Answer(e) => Failure::Forged(e.to_string()),
            ClientError::Refused(r) => match r.code {
                RefusalCode::Revoked => Failure::Revoked,
                RefusalCode::RateLimited | RefusalCode::Unavailable => Failure::Busy,
                RefusalCode::EnrolmentUsed
                | RefusalCode::EnrolmentExpired
                | RefusalCode::EnrolmentInvalid => Failure::CodeSpent,
                code => Failure::Refused {
                    code: code.as_str(),
                },
            },
        }
    }
}
