"""The one compiled part: the Common Log Format reader. It is optional: without a C compiler JagaWeb installs
and reads those logs with Polars alone (jagaweb.logwatch.formats.clf)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("jagaweb.logwatch._clf", ["jagaweb/logwatch/_clf.c"], optional=True)])
