"""Turn tracing to Weights & Biases: optional, off by default, never in a turn's way.

`setup.py` starts it for an entry (installing wandb on demand); `recorder.py` records a turn's
spans; `trace.py` is what one turn's trace holds; `wandb_writer.py` sends finished traces from a
thread; `settings.py` holds its options.
"""
