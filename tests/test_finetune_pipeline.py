"""The fine-tuning pipeline end to end, small: dataset -> LoRA training on SmolLM2-135M -> GGUF adapter
-> the real worker loads base + adapter and answers.

A few optimizer steps on two examples at a high learning rate: enough to move the answer's
likelihood far, which is what proves the export (names, shapes, the llama q/k row order) is right.
Needs the fine-tuning venv that scripts/setup builds (~/.cache/local_llm_assist/ft-venv).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from custom_components.local_llm_assist.engine.data import ChatMessage, Device, GenerationRequest, LlmSettings, ToolSpec
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.prompt import build_messages, build_system_prompt, call_message
from custom_components.local_llm_assist.engine.toolcall import ToolCall, parse_model_output
from custom_components.local_llm_assist.engine.worker import WorkerClient
from toolkit.finetune.examples import messages_of, read_dataset
from toolkit.finetune.run import read_log
from toolkit.models import REPO_ROOT, SMOKE_LLM, file_sha256

from .wandb_run import read_run, run_folders

DEVICES = [Device("Kitchen Light", "light", "Kitchen", state="off"), Device("Porch Lamp", "light", "Porch", state="on")]
NAME = {"type": "string", "enum": [device.name for device in DEVICES]}
TOOLS = [
    ToolSpec(name, description, {"type": "object", "properties": {"name": NAME}, "required": ["name"]})
    for name, description in (("HassTurnOn", "Turns on a device"), ("HassTurnOff", "Turns off a device"))
]
REQUESTS = [
    ("turn on the kitchen light", "HassTurnOn", "Kitchen Light"),
    ("switch off the porch lamp", "HassTurnOff", "Porch Lamp"),
]
STEPS = 4


def tiny_dataset(folder: Path) -> Path:
    """Two examples in the dataset format, built with the product's prompt builder over a two-light home."""
    system = build_system_prompt("You control a home.", TOOLS, DEVICES)
    lines = []
    for index, (request, tool, name) in enumerate(REQUESTS):
        messages = [*build_messages(system, [], [], request, DEVICES), call_message(tool, {"name": name})]
        row = {"id": f"t{index}", "home": "tiny", "kind": "call", "family": "on_off"}
        lines.append(json.dumps({**row, "messages": [{"role": m.role, "content": m.content} for m in messages]}))
    folder.mkdir(parents=True)
    (folder / "train.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "manifest.json").write_text(json.dumps({"seed": 7}))
    return folder


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("finetune")
    data = tiny_dataset(root / "data")
    # scripts/finetune's own command, in its own process: wandb's service stays out of the test process.
    command = ["-m", "toolkit.finetune", "--data", str(data), "--base", "smollm", "--out", str(root / "run")]
    subprocess.run([sys.executable, *command, "--steps", str(STEPS), "--lr", "2e-3"], cwd=REPO_ROOT, check=True)
    yield root


def example(run_folder: Path, index: int = 0) -> tuple[list[ChatMessage], dict[str, object]]:
    rows = read_dataset(run_folder / "data" / "train.jsonl")
    tokens = json.loads((run_folder / "run" / "train.tokens.jsonl").read_text().splitlines()[index])
    return messages_of(rows[index]), tokens


def answer_log_likelihood(tokens: list[int], start: int, adapter: Path | None) -> float:
    """Mean log-probability llama.cpp gives the answer's tokens, with or without the adapter."""
    from llama_cpp import Llama

    llama = Llama(
        model_path=str(SMOKE_LLM),
        n_ctx=512,
        logits_all=True,
        lora_path=str(adapter) if adapter else None,
        verbose=False,
    )
    try:
        llama.eval(tokens)
        logits = np.asarray(llama.scores[start - 1 : len(tokens) - 1], dtype=np.float64)  # row i predicts token i + 1
        peak = logits.max(axis=1, keepdims=True)
        log_probs = logits - peak - np.log(np.exp(logits - peak).sum(axis=1, keepdims=True))
        return float(log_probs[np.arange(len(logits)), tokens[start:]].mean())
    finally:
        llama.close()


async def test_the_worker_answers_with_the_adapter_as_trained(run_folder: Path) -> None:
    messages, tokens = example(run_folder)
    settings = LlmSettings(str(SMOKE_LLM), context_size=512, adapter_path=str(run_folder / "run" / "adapter.gguf"))
    request = GenerationRequest(messages[:-1], build_grammar(TOOLS), max_tokens=48, saved_prompts=False)
    worker = WorkerClient(request_timeout=120)
    try:
        await worker.load_llm(settings)
        result = await worker.generate(settings, request)
    finally:
        await worker.stop()
    # The worker evaluated exactly the prompt the training saw (same template, same tokenizer).
    assert result.prompt_tokens == tokens["target_start"]
    parsed = parse_model_output(result.text, TOOLS)
    assert isinstance(parsed, ToolCall)
    assert (parsed.name, parsed.arguments) == ("HassTurnOn", {"name": "Kitchen Light"})


def test_the_adapter_makes_the_trained_answer_far_more_likely(run_folder: Path) -> None:
    _, tokens = example(run_folder, 1)
    ids, start = tokens["tokens"], tokens["target_start"]
    assert isinstance(ids, list) and isinstance(start, int)
    base = answer_log_likelihood(ids, start, None)
    tuned = answer_log_likelihood(ids, start, run_folder / "run" / "adapter.gguf")
    # Training took the loss from about 1.2 to under 0.2 nats a token; llama.cpp must see the same move.
    assert tuned > base + 0.5


def test_training_scores_only_the_answer(run_folder: Path) -> None:
    messages, tokens = example(run_folder)
    ids, start = tokens["tokens"], tokens["target_start"]
    assert isinstance(ids, list) and isinstance(start, int)
    import llama_cpp

    llama = llama_cpp.Llama(model_path=str(SMOKE_LLM), vocab_only=True, verbose=False)
    try:
        answer = llama.detokenize(ids[start:]).decode()
        ends_turn = [llama_cpp.llama_vocab_is_eog(llama._model.vocab, token) for token in ids[start:]]
    finally:
        llama.close()
    assert answer == messages[-1].content  # the end-of-turn token is special, so it detokenizes to nothing
    assert ends_turn[-1] and not any(ends_turn[:-1])  # scored up to and with the end of the turn, no further


def test_the_run_is_tracked_in_wandb(run_folder: Path) -> None:
    run_dir = run_folder / "run"
    [folder] = run_folders(run_dir)
    run = read_run(folder)
    assert run.config["base"] == "smollm" and run.config["data_seed"] == 7
    assert run.config["data_sha256"]["train.jsonl"] == file_sha256(run_folder / "data" / "train.jsonl")
    losses = [line["loss"] for line in read_log(run_dir)]
    assert [row["loss"] for row in run.history if "loss" in row] == pytest.approx(losses)
    assert len(losses) == STEPS and losses[-1] < losses[0] / 4
