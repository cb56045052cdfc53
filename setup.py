"""The one compiled part: jagaweb.logwatch._native, which reads the Common Log Format family and counts the
behaviour rules' sliding windows in C. It is optional: without a C compiler JagaWeb installs and does the
same work with Polars alone (jagaweb.logwatch.formats.clf, jagaweb.logwatch.detect.windows)."""

from glob import glob

from setuptools import Extension, setup

setup(ext_modules=[Extension("jagaweb.logwatch._native", sorted(glob("jagaweb/logwatch/native/*.c")),
                             depends=sorted(glob("jagaweb/logwatch/native/*.h")), optional=True)])
