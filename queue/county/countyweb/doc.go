// Package countyweb serves the county hub's pages and API (issue 14,
// items 2 and 3) from its read model (queue/county/countyview): a view
// of every site (connected or not, the last event seen, how far behind,
// the gaps, today's tickets and open cases), every open and overdue case
// across the sites with a case's timeline as its site reported it, and
// the townships' and units' assessment. The pages are Chinese,
// server-rendered, in the hall pages' look (queue/web's /ui/ styles,
// which the hub serves with web.Assets); the API is JSON under /api/v1,
// described by openapi.json in this directory (a test keeps it and the
// routes equal).
//
// # Routes
//
//	GET /c/{token}                           the public inquiry page of a ticket's QR (no login), and
//	POST /c/{token}/rate                     the visitor's rating of the result, sent down to the site
//	GET /county                              the sites
//	GET /county/cases                        open and overdue cases (?site= &unit= &stage= &overdue=1 &reported=1)
//	GET /county/cases/{site}/{code}          a case with its timeline, its report up, the commands sent about it
//	                                         (applied, or refused and why) and (supervisors) a form
//	POST /county/cases/{site}/{code}/commands 交办, 督办, 预警 or 县级办结 down to the site (supervisors; the form)
//	GET /county/assessment                   the townships' and units' assessment (?period=2026, 2026-Q4, 2026-11)
//	GET /county/admin                        the sites and the county's accounts (admins), with the forms:
//	POST /county/admin/sites                 add a site: the answer is its credentials file, to download, once
//	POST /county/admin/sites/{site}/remove   remove a site (its id typed again to confirm)
//	POST /county/admin/users                 make an account: the answer shows its one-time password, once
//	GET /api/v1/sites                        the sites
//	GET /api/v1/sites/{site}                 one site: its link, a day's tickets (?day=), this year's assessment
//	POST /api/v1/sites                       add a site (admins): its credentials file, once
//	DELETE /api/v1/sites/{site}              remove a site (admins): its link closed at once
//	GET /api/v1/sites/{site}/cases           a site's open cases (?unit= &stage= &overdue=1 &reported=1)
//	GET /api/v1/county/cases                 open cases across the county (?site= &unit= &stage= &overdue=1 &reported=1)
//	GET /api/v1/county/cases/{site}/{code}   a case with its timeline and the commands sent about it
//	POST /api/v1/county/cases/{site}/{code}/commands  交办, 督办, 预警 or 县级办结 down to the site (supervisors)
//	GET /api/v1/county/assessment            the assessment (?period=)
//	GET /api/v1/county/users                 the county's accounts (admins)
//	POST /api/v1/county/users                make an account (admins): its one-time password, once
//	GET /api/v1/county/openapi.json          this API's contract
//
// # Who reads what
//
// People of the county centre, by the roles of queue/access: supervisors
// read everything; staff read everything but the cases a site marks
// restricted (an accusation, a recusal) or sensitive (health matters),
// which they see only as counts; admins read the sites and the
// assessment (statistics, as at a hall), not the cases, and alone change
// the sites and the county's accounts while the hub runs (Registry,
// Users). Devices (kiosk, board and pad tokens) read nothing. A page
// without a session sends the browser to /login; the API answers 401 and
// 403 as the hall's does ({"error":{"code","message"}}). The changes the
// pages make are a supervisor's command about a case (交办, 督办, 预警, and
// 县级办结 of a case a site reported up), which goes into the hub's outbox
// down to the site (Sender), and the admin's sites and accounts; /login,
// /password and /logout are the county staff's own accounts at the hub.
// Nothing the read model holds is personal data (countyview).
package countyweb
