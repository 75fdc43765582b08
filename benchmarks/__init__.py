"""Speed and memory benchmarks, run as scripts (``python benchmarks/<name>.py``; see each one's docstring).

A package so the scripts share :mod:`benchmarks.record` (where and when a number was measured, and
``results.md``) and :mod:`benchmarks.targets` (issue 14's targets and their verdicts).
"""
