"""One string of a JSON document, decoded while the document is still arriving in pieces.

A model asked for JSON streams it a few characters at a time; the reply text sits inside it
(at `reply.message`). `StringAt` follows the document's structure character by character and
hands out the decoded characters of the string at one path as soon as each is complete,
escapes included (`\\n`, `\\"`, `\\uXXXX`, surrogate pairs), however the pieces are cut.

Pure and forgiving: it never raises on what a model writes. Text before the first `{` is
skipped (a stray preamble or code fence); anything it cannot read as JSON stops it quietly,
keeping what it found. Only the first string at the path counts; the caller still validates
the whole document, so this is a preview of the answer, never the answer itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum, auto

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = frozenset(" \t\r\n")
_HEX = frozenset("0123456789abcdefABCDEF")


class _State(Enum):
    START = auto()  # before the root object
    VALUE = auto()  # a value is due
    FIRST_VALUE = auto()  # right after `[`: a value or `]`
    FIRST_KEY = auto()  # right after `{`: a key or `}`
    KEY = auto()  # after `,` in an object: a key
    COLON = auto()
    AFTER = auto()  # after a value: `,` or a closing bracket
    STRING = auto()
    ESCAPE = auto()  # after a backslash in a string
    UNICODE = auto()  # reading the four hex digits of `\u`
    SCALAR = auto()  # inside a number, true, false or null
    END = auto()  # the root closed, the target string closed, or the text is not JSON


class _Frame:
    """One open container: its kind and where in it the parser is."""

    __slots__ = ("index", "is_object", "key")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.key: str | None = None
        self.index = 0

    @property
    def step(self) -> str | int | None:
        return self.key if self.is_object else self.index


class StringAt:
    """The string at `path` (object keys, or list indexes) of a JSON document fed in pieces."""

    def __init__(self, path: Sequence[str | int]) -> None:
        if not path:
            raise ValueError("the path names at least one key")
        self._path = tuple(path)
        self._state = _State.START
        self._stack: list[_Frame] = []
        self._target = False  # the string being read is the one at the path
        self._is_key = False  # the string being read is an object key
        self._key: list[str] = []
        self._found: list[str] = []
        self._hex = ""
        self._high: str | None = None  # a high surrogate waiting for its low half
        self.done = False  # the string at the path has been read to its end

    @property
    def text(self) -> str:
        """The string's characters decoded so far."""
        return "".join(self._found)

    def feed(self, chunk: str) -> str:
        """Read one more piece of the document; the string's characters it completed."""
        before = len(self._found)
        for char in chunk:
            if self._state is _State.END:
                break
            self._step(char)
        return "".join(self._found[before:])

    def _step(self, char: str) -> None:
        state = self._state
        if state is _State.STRING:
            if char == "\\":
                self._state = _State.ESCAPE
            elif char == '"':
                self._close_string()
            else:
                self._emit(char)
        elif state is _State.ESCAPE:
            if char == "u":
                self._hex, self._state = "", _State.UNICODE
            else:
                # An unknown escape is kept as its letter, as lenient parsers do.
                self._emit(_ESCAPES.get(char, char))
                self._state = _State.STRING
        elif state is _State.UNICODE:
            self._unicode(char)
        elif char in _WHITESPACE and state is not _State.SCALAR:
            return
        elif state is _State.START:
            if char == "{":
                self._open(is_object=True)
        elif state in (_State.VALUE, _State.FIRST_VALUE):
            if char == "]" and state is _State.FIRST_VALUE:
                self._close("]")
            else:
                self._value(char)
        elif state in (_State.FIRST_KEY, _State.KEY):
            if char == '"':
                self._is_key, self._target, self._key = True, False, []
                self._state = _State.STRING
            elif char == "}" and state is _State.FIRST_KEY:
                self._close("}")
            else:
                self._state = _State.END
        elif state is _State.COLON:
            self._state = _State.VALUE if char == ":" else _State.END
        elif state is _State.SCALAR:
            if char in _WHITESPACE or char in ",}]":
                self._state = _State.AFTER
                self._step(char)
        else:  # AFTER
            self._after(char)

    def _value(self, char: str) -> None:
        if char == "{":
            self._open(is_object=True)
        elif char == "[":
            self._open(is_object=False)
        elif char == '"':
            here = tuple(frame.step for frame in self._stack)
            self._is_key, self._target = False, here == self._path
            self._state = _State.STRING
        elif char in "-0123456789tfnIN":  # Infinity and NaN: Python's json writes them
            self._state = _State.SCALAR
        else:
            self._state = _State.END

    def _after(self, char: str) -> None:
        if char == ",":
            frame = self._stack[-1]
            if frame.is_object:
                self._state = _State.KEY
            else:
                frame.index += 1
                self._state = _State.VALUE
        elif char in "}]":
            self._close(char)
        else:
            self._state = _State.END

    def _open(self, is_object: bool) -> None:
        self._stack.append(_Frame(is_object))
        self._state = _State.FIRST_KEY if is_object else _State.FIRST_VALUE

    def _close(self, char: str) -> None:
        frame = self._stack.pop()
        if frame.is_object != (char == "}"):
            self._state = _State.END
        else:
            self._state = _State.AFTER if self._stack else _State.END

    def _unicode(self, char: str) -> None:
        if char not in _HEX:
            self._state = _State.END
            return
        self._hex += char
        if len(self._hex) < 4:
            return
        unit = int(self._hex, 16)
        self._state = _State.STRING
        if 0xDC00 <= unit <= 0xDFFF and self._high is not None:
            pair = 0x10000 + ((ord(self._high) - 0xD800) << 10) + (unit - 0xDC00)
            self._high = None
            self._put(chr(pair))
            return
        self._flush_high()
        if 0xD800 <= unit <= 0xDBFF:
            self._high = chr(unit)  # held: the next escape may be its other half
        else:
            self._put(chr(unit))

    def _emit(self, char: str) -> None:
        self._flush_high()
        self._put(char)

    def _put(self, char: str) -> None:
        if self._is_key:
            self._key.append(char)
        elif self._target:
            self._found.append(char)

    def _flush_high(self) -> None:
        """A high surrogate with no low half after it stands alone (as `json.loads` keeps it)."""
        if self._high is not None:
            high, self._high = self._high, None
            self._put(high)

    def _close_string(self) -> None:
        self._flush_high()
        if self._is_key:
            self._stack[-1].key = "".join(self._key)
            self._is_key = False
            self._state = _State.COLON
        elif self._target:
            self._target = False
            self.done = True
            self._state = _State.END
        else:
            self._state = _State.AFTER
