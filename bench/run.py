"""Run every benchmark module ``bench/bench_*.py`` (or those named on the command line).

Each module has ``run(args) -> None`` printing its figures; every figure is given as a ratio to a
baseline measured in the same run, never as a bare wall-clock number to compare across machines.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))  # bench/common.py, shared by the benchmarks
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark names, e.g. calendar (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    import logging

    import django

    django.setup()
    # Benchmarks drive the services thousands of times: keep their per-call warnings out of the figures.
    logging.getLogger("motcua").setLevel(logging.ERROR)
    from django.test.utils import teardown_test_environment
    modules = sorted(HERE.glob("bench_*.py"))
    if args.names:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in args.names]
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem.removeprefix('bench_')} ==", flush=True)
        try:
            module.run(args)
        finally:
            # Some benchmarks set up Django's test environment (a throw-away database); the next may too.
            with contextlib.suppress(AttributeError):  # AttributeError: this one did not set it up
                teardown_test_environment()


if __name__ == "__main__":
    main()
