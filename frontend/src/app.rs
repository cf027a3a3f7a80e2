//! The app shell: contexts, the router and the page frame.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::collect::{CollectPage, FillPage, OutboxPage};
use crate::components::layout::{Footer, Header, MustChangeBanner, MAIN_ID};
use crate::i18n::I18n;
use crate::offline::Collector;
use crate::pages::account::AccountPage;
use crate::pages::api_docs::ApiDocsPage;
use crate::pages::assignments::AssignmentsPage;
use crate::pages::audit::AuditPage;
use crate::pages::backups::BackupsPage;
use crate::pages::compliance::{CheckPage, CompliancePage, ReportsPage};
use crate::pages::conflicts::ConflictsPage;
use crate::pages::exports::{AlertsPage, ExportsPage, TracePage};
use crate::pages::forms::{FormEditorPage, FormVersionPage, FormsListPage};
use crate::pages::home::HomePage;
use crate::pages::imports::{ImportsHistoryPage, ImportsPage, ImportsSettingsPage};
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::records::history::RecordHistoryPage;
use crate::pages::records::RecordsPage;
use crate::pages::requests::{RequestPage, RequestsPage};
use crate::pages::retention::RetentionPage;
use crate::pages::users::UsersPage;
use crate::session::Session;

/// The whole web app.
#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    let session = Session::new(i18n);
    provide_context(session);
    session.refresh();
    provide_context(Collector::start(session));

    view! {
        <Router>
            <Header />
            <MustChangeBanner />
            <main id=MAIN_ID class="site-main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/forms") view=FormsListPage />
                    <Route path=path!("/forms/:id") view=FormEditorPage />
                    <Route path=path!("/forms/:id/versions/:number") view=FormVersionPage />
                    <Route path=path!("/collect") view=CollectPage />
                    <Route path=path!("/collect/outbox") view=OutboxPage />
                    <Route path=path!("/collect/fill/:id") view=FillPage />
                    <Route path=path!("/records") view=RecordsPage />
                    <Route path=path!("/records/:id/history") view=RecordHistoryPage />
                    <Route path=path!("/exports") view=ExportsPage />
                    <Route path=path!("/exports/trace") view=TracePage />
                    <Route path=path!("/exports/alerts") view=AlertsPage />
                    <Route path=path!("/imports") view=ImportsPage />
                    <Route path=path!("/imports/history") view=ImportsHistoryPage />
                    <Route path=path!("/imports/settings") view=ImportsSettingsPage />
                    <Route path=path!("/audit") view=AuditPage />
                    <Route path=path!("/backups") view=BackupsPage />
                    <Route path=path!("/compliance") view=CompliancePage />
                    <Route path=path!("/compliance/reports") view=ReportsPage />
                    <Route path=path!("/compliance/checks/:check") view=CheckPage />
                    <Route path=path!("/conflicts") view=ConflictsPage />
                    <Route path=path!("/retention") view=RetentionPage />
                    <Route path=path!("/requests") view=RequestsPage />
                    <Route path=path!("/requests/:id") view=RequestPage />
                    <Route path=path!("/users") view=UsersPage />
                    <Route path=path!("/assignments") view=AssignmentsPage />
                    <Route path=path!("/api-docs") view=ApiDocsPage />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}
