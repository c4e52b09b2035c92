"""LoRA fine-tuning of the product's model on generated data (scripts/finetune).

examples.py  dataset lines -> the worker's own tokens (product venv)
train.py     LoRA training with transformers + peft (fine-tuning venv)
export.py    peft adapter -> llama.cpp adapter GGUF (fine-tuning venv)
run.py       one run end to end, tracked in W&B
"""
