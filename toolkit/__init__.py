"""What the scripts and the tests share; never shipped with the integration.

  harness.py        a real Home Assistant in-process with a fixture home and our agent
  engine_choice.py  which engine an agent runs on (the worker or a model server), from the command line
  models.py         where the model files are, and assembling them from their PyPI packages
  speech.py         synthetic speech (espeak-ng) and word error rates
  statistics.py     percentiles
  evaluation/       the eval harness (scripts/eval)
  adversarial.py    the adversarial requests (evals/adversarial/)
  stress.py         the stress run (scripts/stress)
  demo.py           a Home Assistant process with the demo home (scripts/develop, scripts/say, browser tests)

`scripts/` holds the commands; they, and the tests, import from here, never from each other.
"""
