"""The evaluation framework: suites of cases run through a real Home Assistant, scored and reported.

One concept per file:
  cases.py     what a case is, and reading the project's suites (evals/suites/*.yaml)
  upstream.py  importing the Home Assistant intents test format (tests/<lang>/*.yaml)
  observe.py   what an agent did in one turn: calls, targets, reply, changed states, timings
  scoring.py   one case's verdict and the reason it failed
  metrics.py   run-level numbers: Wilson intervals, per-intent accuracy, rates, percentiles
  runner.py    running cases against the built-in agent, our agent, or both (hybrid)
  report.py    JSON report, markdown summary, comparison with a baseline report
  chart.py     the PNG chart (Pillow)
  tracking.py  Weights & Biases logging (offline by default)
Run it with scripts/eval (see `scripts/eval --help`).
"""
