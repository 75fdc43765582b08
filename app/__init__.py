"""The policy lab: a browser app (Dash) in which a strategy team compares front-door policies in an area.

``make app`` (or ``python -m app``) serves it on 127.0.0.1, port ``APP_PORT`` (default 8050).  A user
picks an area, a scenario, two or more policies (a preset, then its levers), the parameter sets (posterior members,
or the calibrated median) and seeds, optionally one lever varied over a range, and starts a sweep; a worker process
(:mod:`app.worker`) simulates its runs with the project's own runner (``experiments.run.run``) into
``results/app/<sweep id>/`` and writes the project's report (``analysis.report``) when it ends.  The page follows the
sweep from disk: the progress bar counts the complete run directories, the time left is estimated from the town and
the runs' measured times, and the comparison curves (``analysis.figures``, as in the report) or the outcomes against
the varied lever are redrawn as runs finish; its tables download as CSV, and its command line reproduces it.
Modules: :mod:`app.choices` (what can be picked), :mod:`app.plan` (a sweep's runs, validated by ``model.params``),
:mod:`app.sweeps` (start, cancel and read sweeps on disk), :mod:`app.estimate`, :mod:`app.worker`, :mod:`app.cells`,
:mod:`app.charts`, :mod:`app.lever_curves`, :mod:`app.exports`, :mod:`app.descriptions`, :mod:`app.commands`,
:mod:`app.layout`, :mod:`app.callbacks`, :mod:`app.server`.
"""
