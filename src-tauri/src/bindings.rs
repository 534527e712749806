//! The UI's TypeScript types for IPC DTOs are generated from these Rust types, never copied by hand.
//! This test fails when `ui/src/lib/bindings.ts` differs from what the Rust types say; run it with
//! `UPDATE_BINDINGS=1` to rewrite the file.

use ts_rs::TS;

use crate::commands::app::{AnchorView, AppInfo, AuditCheck, AutoLockRequest, HeadOfficeView};
use crate::commands::applications::{
    ApplicationCreateRequest, ApplicationEventView, ApplicationPage, ApplicationRowView,
    ApplicationSaveRequest, ApplicationStepRequest, ApplicationView, ApplicationsListRequest,
    HeadOfficeDecisionView, ProductView, VersionView,
};
use crate::commands::clients::{
    ClientCard, ClientPage, ClientRowView, ClientSearchRequest, ClientUpdateRequest, ClientView,
    FieldIssue, IinInfo,
};
use crate::commands::consent::{
    ConsentEventView, ConsentRecordRequest, ConsentRecorded, ConsentView, ConsentWithdrawRequest,
    PurposeView, ScanStaged, ScopeView,
};
use crate::commands::documents::{DocumentView, PrintRequest};
use crate::commands::officers::{
    AddOfficerRequest, OfficerRow, ResetPassphraseRequest, SetApprovalLimitRequest,
    SetOfficerDisabledRequest,
};
use crate::commands::session::{
    CreateVaultRequest, FormDraftDto, OfficerChoice, RecoverRequest, SessionStatus,
    SignedInOfficer, UnlockRequest,
};
use crate::commands::sync::{EnrolRequest, OutboxRequest, SyncIntervalRequest};
use crate::commands::verify::IdentityCheckRequest;
use crate::error::{CommandError, ErrorCode};
use crate::head_office::{
    EnrolPreviewView, OutboxItemView, SyncProgressView, SyncReportView, SyncStatusView,
};
use crate::quote::{Amount, Payment, QuoteReport};
use crate::verification::{ReportLine, VerificationView};
use domain::application::{ApplicationForm, Stage, Step};
use domain::client::{ClientForm, DocumentKind};
use domain::evidence::{DrawnSignature, Point};
use domain::field::{After, Limit, Shape};
use domain::iin::Sex;
use domain::schedule::Method;

fn generated() -> String {
    let decls = [
        ErrorCode::decl(),
        Shape::decl(),
        After::decl(),
        Limit::decl(),
        CommandError::decl(),
        OfficerChoice::decl(),
        SignedInOfficer::decl(),
        SessionStatus::decl(),
        CreateVaultRequest::decl(),
        UnlockRequest::decl(),
        RecoverRequest::decl(),
        AppInfo::decl(),
        AnchorView::decl(),
        AuditCheck::decl(),
        AutoLockRequest::decl(),
        OfficerRow::decl(),
        AddOfficerRequest::decl(),
        SetOfficerDisabledRequest::decl(),
        ResetPassphraseRequest::decl(),
        SetApprovalLimitRequest::decl(),
        FormDraftDto::decl(),
        Sex::decl(),
        DocumentKind::decl(),
        ClientForm::decl(),
        FieldIssue::decl(),
        IinInfo::decl(),
        ClientView::decl(),
        ClientCard::decl(),
        ClientRowView::decl(),
        ClientPage::decl(),
        ClientSearchRequest::decl(),
        ClientUpdateRequest::decl(),
        Method::decl(),
        Stage::decl(),
        Step::decl(),
        ApplicationForm::decl(),
        Amount::decl(),
        Payment::decl(),
        QuoteReport::decl(),
        ProductView::decl(),
        ApplicationRowView::decl(),
        ApplicationPage::decl(),
        ApplicationEventView::decl(),
        VersionView::decl(),
        ApplicationView::decl(),
        ApplicationCreateRequest::decl(),
        ApplicationSaveRequest::decl(),
        ApplicationStepRequest::decl(),
        ApplicationsListRequest::decl(),
        DocumentView::decl(),
        PrintRequest::decl(),
        Point::decl(),
        DrawnSignature::decl(),
        PurposeView::decl(),
        ConsentEventView::decl(),
        ScopeView::decl(),
        ConsentView::decl(),
        ConsentRecordRequest::decl(),
        ConsentWithdrawRequest::decl(),
        ScanStaged::decl(),
        ConsentRecorded::decl(),
        HeadOfficeDecisionView::decl(),
        HeadOfficeView::decl(),
        SyncStatusView::decl(),
        SyncReportView::decl(),
        SyncProgressView::decl(),
        OutboxItemView::decl(),
        EnrolPreviewView::decl(),
        EnrolRequest::decl(),
        OutboxRequest::decl(),
        SyncIntervalRequest::decl(),
        IdentityCheckRequest::decl(),
        ReportLine::decl(),
        VerificationView::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust DTOs by `cargo test bindings` (src-tauri/src/bindings.rs).\n\
         // Do not edit by hand: run `UPDATE_BINDINGS=1 cargo test bindings` after changing a DTO.\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(d.trim());
        out.push('\n');
    }
    out
}

#[test]
fn bindings_match_rust_dtos() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts");
    let want = generated();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(path, &want).expect("write ui/src/lib/bindings.ts");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/lib/bindings.ts is out of date with the Rust DTOs; run `UPDATE_BINDINGS=1 cargo test bindings`"
    );
}
