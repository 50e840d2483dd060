"""Makes the built binding importable: OPCOST_PYTHON_DIR names the build tree's python dir
(e.g. build/python). It goes on sys.path for this process and on PYTHONPATH for the processes
tests start (Dask workers)."""
import os
import sys

_python_dir = os.environ.get("OPCOST_PYTHON_DIR")
if _python_dir:
    _python_dir = os.path.abspath(_python_dir)
    if _python_dir not in sys.path:
        sys.path.insert(0, _python_dir)
    _paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if _python_dir not in _paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([_python_dir] + _paths)
