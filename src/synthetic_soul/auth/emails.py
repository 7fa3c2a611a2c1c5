"""Email addresses as accounts take them: validated and normalised by `email-validator`.

A hand-written pattern let through NUL bytes, bidi overrides and markup, which then sat in
the store and in logs as someone's address. The library follows the RFCs and refuses
unsafe characters; its normalised form (domain lower-cased, Unicode NFC) is what is kept.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalized_email(address: str) -> str:
    """The address's normalised form; ValueError, saying what is wrong, if it is not one."""
    try:
        # No DNS look-up: a request must not wait on, or reveal, the resolver.
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
