"""Training data for a home-control model of our own: synthetic homes, requests and their right outcome.

Every example is rendered by the product's own prompt builder over tools Home Assistant's LLM API
offers for that home, and checked by the product's own parser and target checks (check.py).
Run it with scripts/dataset (README, "Fine-tuning").
"""
