"""The daily activity log (log kegiatan harian): the daily report's section and the monthly report's appendix.

The registry names both from here; each lives in its own module (activity_day, activity_month), and both read
the log through activity_data.
"""

from __future__ import annotations

from jagaweb.reports.sections.activity_day import DailyActivitySection
from jagaweb.reports.sections.activity_month import MonthlyActivityAppendix

__all__ = ["DailyActivitySection", "MonthlyActivityAppendix"]
