"""Where the language model runs: one interface (base.LlmEngine), three engines.

    worker_engine.WorkerEngine              this machine: llama.cpp in our worker process
    llamacpp_server.LlamaCppServerEngine    llama.cpp's HTTP server: GBNF grammar, prompt cache
    openai_compatible.OpenAiCompatibleEngine  vLLM, Ollama, LM Studio, LocalAI: JSON-schema output

All of them get the same messages and constraint from the prompt builder and return raw text;
parsing, target checks and traces happen after them, the same for every engine.
"""
