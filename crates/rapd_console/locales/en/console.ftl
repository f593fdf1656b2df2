# The console's English texts. Every message has its Spanish twin in ../es/console.ftl.
app-title = rapd console
skip-link = Skip to content
nav-partners = Partners
nav-audit = Audit trail
nav-settings = Settings
nav-diagnostics = Requests and faults
nav-label = Sections
sign-out = Sign out
signed-in-as = { $user } in tenant { $tenant }
read-only-note = Read-only access: changes are not offered.

sign-in-title = Sign in
sign-in-intro = Development sign-in: choose a tenant and a development user; the console mints their token.
sign-in-tenant = Tenant
sign-in-user = User
sign-in-access = Access
access-write = Administrator (read and write)
access-read = Read only
sign-in-submit = Sign in
sign-in-issuer-intro = Sign in with your organization's account to manage its remote assistance partners.
sign-in-issuer-submit = Sign in with your organization
sign-in-continue = Signed in. Continue to the partners.

partners-title = Remote assistance partners
partners-empty = No partners yet.
col-name = Name
col-status = Status
col-actions = Actions
status-notOnboarded = Not onboarded
status-onboarding = Onboarding
status-onboarded = Onboarded
detail-expires = expires { $when }
detail-last-connection = last connection { $when }
create-title = Add a partner
field-display-name = Display name
field-onboarding-url = Onboarding URL (optional)
create-submit = Add partner
action-connect = Connect
action-disconnect = Disconnect
action-delete = Delete
action-rename = Rename
rename-title = Rename
partner-title = Partner { $name }
onboarding-title = Onboarding link
onboarding-intro = Give this link to the vendor, or let them scan the code. This page shows it when they connect.
onboarding-qr-alt = QR code of the onboarding link
onboarding-code-only = This partner has no onboarding URL; give the vendor this code:
confirm-disconnect-title = Disconnect { $name }?
confirm-disconnect-body = The partner's credential is revoked at once: its vendor is cut off on its next call.
confirm-delete-title = Delete { $name }?
confirm-delete-body = The partner and its connection are removed; the audit trail keeps the record.
confirm-cancel = Cancel
back-to-partners = Back to partners

audit-title = Audit trail
audit-empty = No audit records yet.
col-when = When
col-activity = Activity
col-actor = Actor
col-resource = Partner
col-result = Result
actor-partner = The partner's vendor
actor-test-control = Test control

settings-title = Remote assistance settings (beta)
settings-state = Remote assistance
settings-state-enabled = Enabled
settings-state-disabled = Disabled
settings-unenrolled = Allow sessions to unenrolled devices
settings-block-chat = Block chat
settings-submit = Save settings

diagnostics-title = Requests and faults
requests-title = This tenant's recent requests
requests-empty = No requests recorded.
col-method = Method
col-path = Path
col-status-code = Status
col-duration = Duration (ms)
faults-title = Active fault rules
faults-empty = No fault rules are set.
faults-off = Fault injection is off.
col-rule-method = Method
col-rule-path = Path
col-rule-effect = Effect
col-rule-left = Left
control-off = The request log and fault rules exist only while the test-control API is on.

error-title = Something went wrong
error-csrf = This form has expired. Go back, reload the page and try again.
error-not-found = This page does not exist.
error-graph = Graph refused the change ({ $status }, { $code }): { $message }
error-sign-in = Sign-in failed: { $reason }. Go back to the sign-in page and try again.
error-internal = The server failed; the cause is in its log.

time-now = just now
time-in-minutes = { $n ->
    [one] in { $n } minute
   *[other] in { $n } minutes
}
time-in-hours = { $n ->
    [one] in { $n } hour
   *[other] in { $n } hours
}
time-in-days = { $n ->
    [one] in { $n } day
   *[other] in { $n } days
}
time-ago-minutes = { $n ->
    [one] { $n } minute ago
   *[other] { $n } minutes ago
}
time-ago-hours = { $n ->
    [one] { $n } hour ago
   *[other] { $n } hours ago
}
time-ago-days = { $n ->
    [one] { $n } day ago
   *[other] { $n } days ago
}
