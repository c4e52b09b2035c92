"""The installed llama.cpp runs on any x86-64 CPU with AVX2, not only on the machine that built it.

A build with `-march=native` on a CPU that advertises AVX-512 or AMX compiles those kernels in;
the same library then dies with SIGILL on a CPU (or a virtual machine) that cannot run them. The
disassembly of the CPU backend must therefore hold no AVX-512 or AMX instruction.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

# Registers and instructions that exist only with AVX-512 (zmm and mask registers, EVEX-only
# operations) or AMX (tile instructions).
BEYOND_AVX2 = re.compile(
    r"%zmm\d|%k[1-7]\b|\bkmov[bwdq]\b|\bvpternlog[dq]\b|\bvpermt2|\bvpcompress|\bvpdpbusd\b.*%zmm"
    r"|\btile(zero|loadd|stored|release)\b|\bldtilecfg\b|\btdpb"
)


def cpu_backend_libraries() -> list[Path]:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.submodule_search_locations, "llama_cpp is not installed"
    package = Path(spec.submodule_search_locations[0])
    return sorted(package.glob("lib/libggml-cpu*.so")) or sorted(package.glob("lib/libggml*.so"))


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the AVX2 baseline is an x86-64 promise")
def test_llama_cpp_holds_no_instruction_beyond_avx2() -> None:
    objdump = shutil.which("objdump")
    assert objdump, "objdump (binutils) is needed to check the build"
    libraries = cpu_backend_libraries()
    assert libraries, "no ggml CPU library found in the llama_cpp package"
    for library in libraries:
        disassembly = subprocess.run(
            [objdump, "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True, check=True
        ).stdout
        assert "vfmadd" in disassembly, f"{library.name}: no FMA code at all, is this the CPU backend?"
        offending = [line.strip() for line in disassembly.splitlines() if BEYOND_AVX2.search(line)]
        assert not offending, f"{library.name} has {len(offending)} AVX-512/AMX instructions, e.g. {offending[:3]}"
