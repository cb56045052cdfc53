"""The one compiled part: jagaweb.logwatch._native, which reads the Common Log Format family in C. It is
optional: without a C compiler JagaWeb installs and reads those logs with Polars alone
(jagaweb.logwatch.formats.clf)."""

from glob import glob

from setuptools import Extension, setup

setup(ext_modules=[Extension("jagaweb.logwatch._native", sorted(glob("jagaweb/logwatch/native/*.c")),
                             depends=sorted(glob("jagaweb/logwatch/native/*.h")), optional=True)])
