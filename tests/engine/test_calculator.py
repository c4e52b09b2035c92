"""The calculator's own parser: spoken and written arithmetic, and bounded work on bad input."""

from __future__ import annotations

import time

import pytest

from custom_components.local_llm_assist.skills.calculator.arithmetic import (
    MAX_TOKENS,
    CalculatorError,
    calculate,
    format_number,
    normalize_expression,
)


@pytest.mark.parametrize(
    ("expression", "answer"),
    [
        ("what's 15 percent of 80", "12"),
        ("What is 15% of 80?", "12"),
        ("12 times 7 divided by 3", "28"),
        ("2 + 3 * 4", "14"),
        ("(2 + 3) * 4", "20"),
        ("2 to the power of 10", "1024"),
        ("2^3^2", "512"),  # right-associative
        ("-2^2", "-4"),  # the power binds tighter than the sign
        ("10 minus -3", "13"),
        ("1/3", "0.3333333333"),
        ("0.1 + 0.2", "0.3"),
        ("square root of 144", "12"),
        ("5 squared plus 1", "26"),
        ("1,250 x 4", "5000"),
        ("7 over 2", "3.5"),
        ("100 multiplied by 0", "0"),
        ("2 ** 0.5", "1.414213562"),
    ],
)
def test_answers(expression: str, answer: str) -> None:
    assert calculate(expression).spoken == answer


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("1 / 0", "calculator_division_by_zero"),
        ("5 divided by (3 - 3)", "calculator_division_by_zero"),
        ("0 ^ -1", "calculator_division_by_zero"),
        ("9 ^ 9 ^ 9", "calculator_too_large"),
        ("10 to the power of 1000000000", "calculator_too_large"),
        ("0.5 ^ 100000", "calculator_too_large"),  # tiny is as unspeakable as huge
        ("1" * 40, "calculator_too_large"),
        ("square root of -4", "calculator_undefined"),
        ("(-8) ^ 0.5", "calculator_undefined"),
        ("1 + " * MAX_TOKENS + "1", "calculator_too_long"),
        ("__import__('os').system('ls')", "calculator_invalid"),
        ("2 +", "calculator_invalid"),
        ("(2 + 3", "calculator_invalid"),
        ("2 3", "calculator_invalid"),
        ("", "calculator_invalid"),
        ("what is the meaning of life", "calculator_invalid"),
    ],
)
def test_bad_expressions_fail_with_a_code(expression: str, code: str) -> None:
    with pytest.raises(CalculatorError) as raised:
        calculate(expression)
    assert raised.value.code == code


def test_hostile_input_is_refused_quickly() -> None:
    started = time.perf_counter()
    for expression in ("9^9^9^9^9^9", "(" * 60 + "1" + ")" * 60, "9" * 30 + "^" + "9" * 30):
        with pytest.raises(CalculatorError):
            calculate(expression)
    assert time.perf_counter() - started < 1  # bounded work, not a benchmark: seconds would mean a hang


def test_words_become_symbols() -> None:
    assert normalize_expression("What's 12 times 7 divided by 3?") == "12 * 7 / 3"
    assert normalize_expression("15 percent of 80") == "15 % * 80"


def test_numbers_are_spoken_without_noise() -> None:
    from decimal import Decimal

    assert format_number(Decimal("28.000")) == "28"
    assert format_number(Decimal("-0")) == "0"
    assert format_number(Decimal("1E+3")) == "1000"
    assert format_number(Decimal("2") / Decimal("3")) == "0.6666666667"
