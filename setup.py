"""The compiled parts, both optional: without a C compiler JagaWeb installs and does the same work in
Python.

- jagaweb.logwatch._native reads the Common Log Format family and counts the behaviour rules' sliding
  windows in C (otherwise Polars does: jagaweb.logwatch.formats.clf, jagaweb.logwatch.detect.windows).
- jagaweb.backup.store._native reads a folder's names and their lstat without the GIL, so that a backup's
  walking threads wait on the disk side by side (otherwise os.listdir and os.stat: jagaweb.backup.store.walk).
"""

from glob import glob

from setuptools import Extension, setup


def native(package: str) -> Extension:
    folder = package.replace(".", "/") + "/native"
    return Extension(f"{package}._native", sorted(glob(f"{folder}/*.c")), depends=sorted(glob(f"{folder}/*.h")),
                     optional=True)


setup(ext_modules=[native("jagaweb.logwatch"), native("jagaweb.backup.store")])
