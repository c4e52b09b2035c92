"""A safe calculator for spoken arithmetic: our own tokenizer and parser, never `eval`.

It reads what people say ("15 percent of 80", "12 times 7 divided by 3", "2 to the power of 10")
as well as symbols ("(3 + 4) * 2", "2^8"). The work is bounded: a long expression, a huge power
or a division by zero ends in a CalculatorError with a code the integration translates.

Grammar (lowest precedence first):
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := postfix ("^" unary)?          right-associative, binds tighter than a sign on its left
    postfix := atom ("%")*                   "15%" is 0.15; "15% of 80" is 0.15 * 80 ("of" is "*")
    atom    := number | "(" sum ")" | "sqrt" unary
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from ...engine.text import NOT_ARITHMETIC_WORDS

MAX_TOKENS = 64
MAX_DIGITS = 30  # per number
# Results beyond 10^MAX_MAGNITUDE are refused before they are computed, so 9^9^9 costs nothing.
MAX_MAGNITUDE = 100
PRECISION = 28
SIGNIFICANT_DIGITS = 10  # what is spoken

# Spoken words and phrases → operator symbols. Longer phrases first, so "divided by" wins over "by".
_PHRASES = (
    ("to the power of", "^"),
    ("raised to", "^"),
    ("multiplied by", "*"),
    ("divided by", "/"),
    ("square root of", "sqrt"),
    ("squared", "^2"),
    ("cubed", "^3"),
    ("percent", "%"),
    ("per cent", "%"),
    ("times", "*"),
    ("plus", "+"),
    ("minus", "-"),
    ("over", "/"),
    ("of", "*"),
    ("x", "*"),
    ("\u00d7", "*"),  # multiplication sign
    ("÷", "/"),
    ("**", "^"),
)
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|(sqrt)|([-+*/^%()]))")


class CalculatorError(Exception):
    """Why an expression has no answer; `code` names the sentence the user hears."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class Calculation:
    expression: str  # the normalized expression that was computed
    value: Decimal

    @property
    def spoken(self) -> str:
        return format_number(self.value)


def calculate(text: str) -> Calculation:
    """Compute a spoken or written expression."""
    expression = normalize_expression(text)
    tokens = tokenize(expression)
    with localcontext(Context(prec=PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow])):
        parser = _Parser(tokens)
        try:
            value = parser.parse()
        except DivisionByZero as err:
            raise CalculatorError("calculator_division_by_zero") from err
        except Overflow as err:
            raise CalculatorError("calculator_too_large") from err
        except InvalidOperation as err:
            raise CalculatorError("calculator_undefined") from err
    _check_magnitude(value)
    return Calculation(expression, value)


def normalize_expression(text: str) -> str:
    """Spoken words replaced by symbols, fillers and thousands separators removed."""
    result = text.casefold().strip().rstrip("?.!= ")
    result = re.sub(r"(?<=\d),(?=\d{3}\b)", "", result)
    for phrase, symbol in _PHRASES:
        pattern = rf"(?<![a-z]){re.escape(phrase)}(?![a-z])" if phrase[0].isalpha() else re.escape(phrase)
        result = re.sub(pattern, f" {symbol} ", result)
    words = [word for word in result.split() if word not in NOT_ARITHMETIC_WORDS]
    return " ".join(words)


def tokenize(expression: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise CalculatorError("calculator_invalid", f"unexpected {expression[position:].split()[0]!r}")
        token = match.group(match.lastindex or 0)
        if match.group(1) and len(token.replace(".", "")) > MAX_DIGITS:
            raise CalculatorError("calculator_too_large", "number too long")
        tokens.append(token)
        position = match.end()
        if len(tokens) > MAX_TOKENS:
            raise CalculatorError("calculator_too_long")
    if not tokens:
        raise CalculatorError("calculator_invalid", "empty expression")
    return tokens


class _Parser:
    """Recursive descent over the tokens; depth is bounded by MAX_TOKENS."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def parse(self) -> Decimal:
        value = self._sum()
        if self.position != len(self.tokens):
            raise CalculatorError("calculator_invalid", f"unexpected {self.tokens[self.position]!r}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise CalculatorError("calculator_invalid", "expression ends too early")
        self.position += 1
        return token

    def _sum(self) -> Decimal:
        value = self._product()
        while self._peek() in ("+", "-"):
            value = value + self._product() if self._take() == "+" else value - self._product()
        return value

    def _product(self) -> Decimal:
        value = self._unary()
        while self._peek() in ("*", "/"):
            value = value * self._unary() if self._take() == "*" else value / self._unary()
        return value

    def _unary(self) -> Decimal:
        if self._peek() in ("-", "+"):
            return -self._unary() if self._take() == "-" else self._unary()
        return self._power()

    def _power(self) -> Decimal:
        base = self._postfix()
        if self._peek() != "^":
            return base
        self._take()
        return power(base, self._unary())

    def _postfix(self) -> Decimal:
        value = self._atom()
        while self._peek() == "%":
            self._take()
            value = value / 100
        return value

    def _atom(self) -> Decimal:
        token = self._take()
        if token == "(":
            value = self._sum()
            if self._take() != ")":
                raise CalculatorError("calculator_invalid", "missing )")
            return value
        if token == "sqrt":
            operand = self._unary()
            if operand < 0:
                raise CalculatorError("calculator_undefined", "square root of a negative number")
            return operand.sqrt()
        if token[0].isdigit() or token[0] == ".":
            return Decimal(token)
        raise CalculatorError("calculator_invalid", f"unexpected {token!r}")


def power(base: Decimal, exponent: Decimal) -> Decimal:
    """base^exponent, refused when the result would be astronomically large or small."""
    if base == 0:
        if exponent < 0:
            raise CalculatorError("calculator_division_by_zero")
        return Decimal(1) if exponent == 0 else Decimal(0)
    magnitude = abs(base).log10() * exponent
    if abs(magnitude) > MAX_MAGNITUDE:
        raise CalculatorError("calculator_too_large")
    if base < 0 and exponent != exponent.to_integral_value():
        raise CalculatorError("calculator_undefined", "fractional power of a negative number")
    return base**exponent


def _check_magnitude(value: Decimal) -> None:
    if value != 0 and abs(value.adjusted()) > MAX_MAGNITUDE:
        raise CalculatorError("calculator_too_large")


def format_number(value: Decimal) -> str:
    """At most SIGNIFICANT_DIGITS digits, no trailing zeros, no exponent: "4", "0.125", "28"."""
    if value == 0:
        return "0"
    with localcontext(Context(prec=2 * MAX_MAGNITUDE + SIGNIFICANT_DIGITS)):
        text = f"{round(value, max(0, SIGNIFICANT_DIGITS - value.adjusted() - 1)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
