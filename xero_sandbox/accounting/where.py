"""Xero's `where` and `order` query language (a subset of .NET dynamic LINQ), compiled to Python.

Supported: `==`, `!=`, `>`, `>=`, `<`, `<=`, `&&`/`AND`, `||`/`OR`, `!`, parentheses, string,
number, true/false/null literals, `DateTime(y,m,d[,h,mi,s])`, `DateTime.Parse("…")`, `Guid("…")`,
and the string methods Contains, StartsWith, EndsWith, ToLower, ToUpper. Field paths such as
`Contact.ContactID` resolve through a per-resource field table. Like Xero (SQL Server collation),
string comparisons ignore case.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|>=|<=|&&|\|\||[<>!(),.=])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
COMPARISONS = {"==", "!=", ">", ">=", "<", "<="}
STRING_METHODS = {"contains", "startswith", "endswith", "tolower", "toupper"}

Getter = Callable[[object], object]


class QueryError(ValueError):
    pass


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QueryError(f"Syntax error at position {position} in '{text}'")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "name" and value.upper() in ("AND", "OR"):
            kind, value = "op", "&&" if value.upper() == "AND" else "||"
        if kind == "op" and value == "=":
            value = "=="  # Xero accepts a single '=' for equality
        tokens.append((kind, value))
        position = match.end()
    return tokens


def normalise(value):
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def compare(operator: str, left, right) -> bool:
    left = None if left == "" else normalise(left)
    right = None if right == "" else normalise(right)
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[operator]
    except TypeError as error:
        raise QueryError(f"Operator '{operator}' cannot compare these values") from error


class Parser:
    def __init__(self, text: str, fields: dict[str, Getter], resource: str) -> None:
        self.tokens = tokenize(text)
        self.position = 0
        self.fields, self.resource = fields, resource

    def peek(self, offset: int = 0):
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def take(self, expected: str | None = None) -> str:
        kind, value = self.peek()
        if kind is None or (expected is not None and value != expected):
            raise QueryError(f"Expected '{expected}'" if expected else "Unexpected end of expression")
        self.position += 1
        return value

    def parse(self) -> Getter:
        expression = self.or_expression()
        if self.position != len(self.tokens):
            raise QueryError(f"Unexpected '{self.peek()[1]}'")
        return expression

    def or_expression(self) -> Getter:
        parts = [self.and_expression()]
        while self.peek()[1] == "||":
            self.take()
            parts.append(self.and_expression())
        return parts[0] if len(parts) == 1 else (lambda record: any(part(record) for part in parts))

    def and_expression(self) -> Getter:
        parts = [self.not_expression()]
        while self.peek()[1] == "&&":
            self.take()
            parts.append(self.not_expression())
        return parts[0] if len(parts) == 1 else (lambda record: all(part(record) for part in parts))

    def not_expression(self) -> Getter:
        if self.peek()[1] == "!":
            self.take()
            inner = self.not_expression()
            return lambda record: not inner(record)
        return self.comparison()

    def comparison(self) -> Getter:
        left = self.term()
        kind, value = self.peek()
        if kind == "op" and value in COMPARISONS:
            self.take()
            right = self.term()
            return lambda record: compare(value, left(record), right(record))
        return left

    def term(self) -> Getter:
        kind, value = self.peek()
        if value == "(":
            self.take()
            inner = self.or_expression()
            self.take(")")
            return inner
        if kind == "string":
            self.take()
            text = re.sub(r"\\(.)", r"\1", value[1:-1])
            return lambda record: text
        if kind == "number":
            self.take()
            number = Decimal(value)
            return lambda record: number
        if kind == "name":
            return self.path()
        raise QueryError(f"Unexpected '{value}'" if value else "Unexpected end of expression")

    def arguments(self) -> list:
        self.take("(")
        values = []
        while self.peek()[1] != ")":
            getter = self.or_expression()
            values.append(getter(None))
            if self.peek()[1] == ",":
                self.take()
        self.take(")")
        return values

    def path(self) -> Getter:
        first = self.take()
        lowered = first.lower()
        if lowered in ("true", "false"):
            return lambda record: lowered == "true"
        if lowered == "null":
            return lambda record: None
        if lowered == "guid" and self.peek()[1] == "(":
            (text,) = self.arguments()
            return lambda record: str(text).lower()
        if lowered == "datetime":
            return self.datetime_literal()
        names = [first]
        while self.peek()[1] == "." and self.peek(1)[0] == "name" and self.peek(2)[1] != "(":
            self.take()
            names.append(self.take())
        getter = self.field(".".join(names))
        while self.peek()[1] == ".":
            self.take()
            getter = self.method(getter, self.take())
        return getter

    def datetime_literal(self) -> Getter:
        if self.peek()[1] == ".":
            self.take()
            if self.take().lower() != "parse":
                raise QueryError("Only DateTime.Parse is supported")
            (text,) = self.arguments()
            try:
                moment = normalise(datetime.fromisoformat(str(text)))
            except ValueError as error:
                raise QueryError(f"'{text}' is not a valid date") from error
            return lambda record: moment
        parts = [int(part) for part in self.arguments()]
        try:
            moment = datetime(*parts, tzinfo=UTC)
        except (TypeError, ValueError) as error:
            raise QueryError("DateTime needs a valid year, month and day") from error
        return lambda record: moment

    def field(self, name: str) -> Getter:
        getter = self.fields.get(name.lower())
        if getter is None:
            raise QueryError(f"No property or field '{name}' exists in type '{self.resource}'")
        return getter

    def method(self, target: Getter, name: str) -> Getter:
        lowered = name.lower()
        if lowered not in STRING_METHODS:
            raise QueryError(f"No applicable method '{name}' exists")
        arguments = self.arguments()
        if lowered in ("tolower", "toupper"):
            return lambda record: (
                (target(record) or "").lower() if lowered == "tolower" else (target(record) or "").upper()
            )
        if len(arguments) != 1:
            raise QueryError(f"{name} takes one argument")
        needle = str(arguments[0]).casefold()
        test = {"contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}[lowered]
        return lambda record: bool(target(record)) and test(str(target(record)).casefold(), needle)


def compile_where(text: str, fields: dict[str, Getter], resource: str) -> Callable[[object], bool]:
    predicate = Parser(text, fields, resource).parse()
    return lambda record: predicate(record) is True


def sort_records(records: list, order: str, fields: dict[str, Getter], resource: str) -> list:
    """Sort by an `order` string such as "Name ASC, UpdatedDateUTC DESC"."""
    keys = []
    for clause in order.split(","):
        words = clause.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"Invalid order clause '{clause.strip()}'")
        getter = fields.get(words[0].lower())
        if getter is None:
            raise QueryError(f"No property or field '{words[0]}' exists in type '{resource}'")
        keys.append((getter, len(words) == 2 and words[1].upper() == "DESC"))
    for getter, descending in reversed(keys):
        records.sort(key=lambda record, getter=getter: _sort_key(getter(record)), reverse=descending)
    return records


def _sort_key(value):
    value = normalise(value)
    if value is None or value == "":
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)
