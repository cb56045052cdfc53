"""The page guard's offline analysis (the "outside view"): one page, a sitemap, identities, a baseline.

    verdict = analyse_page(html, url="https://dinkes.contoh.go.id/")   # -> PageVerdict
    verdict.verdict, verdict.score, verdict.reasons, verdict.summary
    compare_identities({"normal": html_a, "googlebot": html_b}, url=...)  # cloaking
    compare_with_baseline(baseline_summary, verdict.summary)              # changes since known-good
    analyse_sitemap(xml, baseline_count=120)
"""

from jagaweb.guard.page.analyse import analyse_page
from jagaweb.guard.page.baseline import compare_with_baseline
from jagaweb.guard.page.cloaking import compare_identities
from jagaweb.guard.page.detectors.verification import verification_file
from jagaweb.guard.page.result import PageVerdict, Reason
from jagaweb.guard.page.sitemap import SitemapVerdict, analyse_sitemap
from jagaweb.guard.page.summary import PageSummary

__all__ = ["PageSummary", "PageVerdict", "Reason", "SitemapVerdict", "analyse_page", "analyse_sitemap",
           "compare_identities", "compare_with_baseline", "verification_file"]
