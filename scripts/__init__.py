"""Developer tools: set-up, demo, benchmarks (run as `python -m scripts.<name>`)."""
