"""The guard's database view (the "inside view" of content): a site's CMS tables read through a read-only
connection and judged with the page guard's analysis.

    login = login_for_site(site)                         # -> DbLogin | None
    report = scan_database(login, site.cms, site_host=site.hostname)
    report.findings[0].locator, .verdict, .severity, .reasons; report.to_dict()
"""

from jagaweb.guard.database.cms import SCANNERS, supports
from jagaweb.guard.database.connections import Timeouts, open_readonly
from jagaweb.guard.database.errors import DatabaseScanError, UnsupportedCms
from jagaweb.guard.database.findings import DatabaseReport, Finding
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.database.login import DbLogin, login_for_site
from jagaweb.guard.database.scan import scan_database

__all__ = ["SCANNERS", "DatabaseReport", "DatabaseScanError", "DbLogin", "Exposure", "Finding", "Timeouts",
           "UnsupportedCms", "login_for_site", "open_readonly", "scan_database", "supports"]
