"""Matching clients to Xero contacts: pure functions, no database, no Xero.

`score()` explains one pair in plain words; `best_matches()` scores many clients against many
contacts using blocking (company number, VAT number, email, name tokens) plus `rapidfuzz.process`,
never a Python double loop over every pair.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

# Free-mail providers: a shared domain there says nothing about the business.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "aol.co.uk",
        "btinternet.com",
        "btopenworld.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.co.uk",
        "hotmail.com",
        "hotmail.co.uk",
        "icloud.com",
        "live.com",
        "live.co.uk",
        "mac.com",
        "me.com",
        "msn.com",
        "mail.com",
        "ntlworld.com",
        "outlook.com",
        "outlook.co.uk",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "sky.com",
        "talktalk.net",
        "tiscali.co.uk",
        "virginmedia.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "zoho.com",
    }
)

# Legal-form words stripped from the end of a name (longest first, applied repeatedly).
_LEGAL_SUFFIXES = (
    "limited liability partnership",
    "public limited company",
    "community interest company",
    "cyfyngedig",
    "incorporated",
    "corporation",
    "partnership",
    "partners",
    "limited",
    "company",
    "and co",
    "and company",
    "cyf",
    "ltd",
    "llp",
    "plc",
    "cic",
    "inc",
    "llc",
    "corp",
    "lp",
    "co",
    "uk",
)
_SUFFIX_RE = re.compile(r"(?:\s+|^)(?:" + "|".join(re.escape(s) for s in _LEGAL_SUFFIXES) + r")$")
_DROPPED = re.compile(r"['’`.]")  # O'Brien → obrien, A.B.C. → abc
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Scores for each kind of evidence (0–100); the best one leads, each further one adds a little.
SCORE_COMPANY_NUMBER = 100
SCORE_SAME_NAME = 95
SCORE_TAX_NUMBER = 90
SCORE_EMAIL = 85
SCORE_EMAIL_DOMAIN = 50
SIMILAR_NAME_MIN = 70  # below this a name similarity is not a reason
SIMILAR_NAME_WEIGHT = 0.9
EXTRA_EVIDENCE = 5
DIFFERENT_COMPANY_NUMBER_PENALTY = 40

# What the bulk screen calls a partial match, and what a suggestion must reach to be offered.
SUGGESTION_MIN = 50


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def normalise_name(name: str | None) -> str:
    """A business name reduced for comparison: case, accents, punctuation, `&`, legal suffixes."""
    if not name:
        return ""
    text = _ascii(name).lower().replace("&", " and ").replace("+", " and ")
    text = _DROPPED.sub("", text)
    text = _NON_WORD.sub(" ", text).strip()
    text = re.sub(r"^the\s+", "", text)
    while True:
        stripped = _SUFFIX_RE.sub("", text).strip()
        if stripped == text or not stripped:
            break
        text = stripped
    text = re.sub(r"\s+and$", "", text)
    return re.sub(r"\s+", " ", text).strip()


def normalise_company_number(value: str | None) -> str:
    """Companies House numbers are 8 characters: `1234567` and `01234567` are the same company."""
    text = re.sub(r"[^A-Z0-9]", "", (value or "").upper())
    if text.isdigit() and 0 < len(text) < 8:
        text = text.zfill(8)
    return text


def normalise_tax_number(value: str | None) -> str:
    """VAT numbers: spaces, dashes and the GB prefix ignored."""
    text = re.sub(r"[^A-Z0-9]", "", (value or "").upper())
    if text.startswith("GB") and len(text) > 2:
        text = text[2:]
    return text


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


def email_domain(value: str | None) -> str:
    """The business domain of an email address, or "" for free-mail providers."""
    email = normalise_email(value)
    if "@" not in email:
        return ""
    domain = email.rsplit("@", 1)[1].strip(".")
    if not domain or domain in FREE_MAIL_DOMAINS:
        return ""
    return domain


def contact_match_keys(*, name: str, email: str, company_number: str, tax_number: str) -> dict[str, str]:
    """The matching columns stored on a mirrored contact (XeroContact), for indexed lookups."""
    return {
        "normalised_name": normalise_name(name),
        "match_company_number": normalise_company_number(company_number),
        "match_tax_number": normalise_tax_number(tax_number),
        "email_domain": email_domain(email),
    }


_UK = frozenset(
    {"united kingdom", "uk", "gb", "great britain", "england", "scotland", "wales", "northern ireland"}
)


def address_lines(value: str | None) -> list[str]:
    """An address as its non-blank parts (lines or comma-separated), a UK country line left out."""
    parts = [part.strip() for line in (value or "").splitlines() for part in line.split(",")]
    parts = [part for part in parts if part]
    if parts and parts[-1].casefold().strip(".") in _UK:
        parts = parts[:-1]
    return parts


def normalise_address(value: str | None) -> str:
    """For comparing two addresses: case, punctuation and line breaks ignored."""
    return " ".join(_NON_WORD.sub(" ", _ascii(part).lower()).strip() for part in address_lines(value)).strip()


def name_similarity(a: str, b: str) -> int:
    """Similarity (0–100) of two already-normalised names."""
    if not a or not b:
        return 0
    return round(fuzz.token_sort_ratio(a, b))


@dataclass(frozen=True)
class MatchInput:
    """What matching needs from a client or a contact, normalised once."""

    name: str = ""
    email: str = ""
    company_number: str = ""
    tax_number: str = ""
    key: Any = None
    normalised_name: str = ""
    domain: str = ""

    @classmethod
    def build(
        cls,
        *,
        name: str = "",
        email: str = "",
        company_number: str = "",
        tax_number: str = "",
        key: Any = None,
        normalised_name: str | None = None,
    ) -> MatchInput:
        return cls(
            name=name or "",
            email=normalise_email(email),
            company_number=normalise_company_number(company_number),
            tax_number=normalise_tax_number(tax_number),
            key=key,
            normalised_name=normalised_name if normalised_name is not None else normalise_name(name),
            domain=email_domain(email),
        )

    @classmethod
    def from_client(cls, client: Any) -> MatchInput:
        """From anything shaped like `clients.Client` (duck-typed: no import, no query)."""
        return cls.build(
            name=client.name,
            email=getattr(client, "email", ""),
            company_number=getattr(client, "company_number", ""),
            tax_number=getattr(client, "vat_number", ""),
            key=getattr(client, "pk", None),
        )

    @classmethod
    def from_contact(cls, contact: Any) -> MatchInput:
        """From anything shaped like `integrations.XeroContact`."""
        return cls.build(
            name=contact.name,
            email=getattr(contact, "email", ""),
            company_number=getattr(contact, "company_number", ""),
            tax_number=getattr(contact, "tax_number", ""),
            key=getattr(contact, "pk", None),
            normalised_name=getattr(contact, "normalised_name", None) or None,
        )


@dataclass
class Match:
    score: int
    reasons: list[str] = field(default_factory=list)
    full: bool = False  # same company number or exact normalised name

    def __bool__(self) -> bool:
        return self.score > 0


def score(client: MatchInput, contact: MatchInput) -> Match:
    """How well a contact matches a client (0–100), and why, in plain words."""
    evidence: list[tuple[int, str]] = []
    same_company_number = bool(client.company_number) and client.company_number == contact.company_number
    if same_company_number:
        evidence.append((SCORE_COMPANY_NUMBER, "Same company number"))
    if client.tax_number and client.tax_number == contact.tax_number:
        evidence.append((SCORE_TAX_NUMBER, "Same VAT number"))
    if client.email and client.email == contact.email:
        evidence.append((SCORE_EMAIL, "Same email"))
    elif client.domain and client.domain == contact.domain:
        evidence.append((SCORE_EMAIL_DOMAIN, f"Same email domain ({client.domain})"))
    same_name = bool(client.normalised_name) and client.normalised_name == contact.normalised_name
    if same_name:
        if " ".join(client.name.split()).casefold() == " ".join(contact.name.split()).casefold():
            evidence.append((SCORE_SAME_NAME, "Same name"))
        else:
            evidence.append((SCORE_SAME_NAME, "Same name (ignoring case, punctuation, & and Ltd/Limited)"))
    else:
        similarity = name_similarity(client.normalised_name, contact.normalised_name)
        if similarity >= SIMILAR_NAME_MIN:
            # A near name never outranks an exact one.
            evidence.append((round(similarity * SIMILAR_NAME_WEIGHT), f"Similar name ({similarity}%)"))
    if not evidence:
        return Match(score=0, reasons=[])
    evidence.sort(key=lambda item: -item[0])
    total = evidence[0][0] + EXTRA_EVIDENCE * (len(evidence) - 1)
    reasons = [reason for _, reason in evidence]
    if client.company_number and contact.company_number and not same_company_number:
        total -= DIFFERENT_COMPANY_NUMBER_PENALTY
        reasons.append("Different company number")
    total = max(0, min(100, total))
    return Match(score=total, reasons=reasons, full=same_company_number or same_name)


# ---------------------------------------------------------------------------------------------
# Many at once


@dataclass(frozen=True)
class BestMatch:
    client: MatchInput
    contact: MatchInput | None
    match: Match

    @property
    def group(self) -> str:
        """ "full", "partial" or "none" — the bulk screen's three groups."""
        if self.contact is None or self.match.score < SUGGESTION_MIN:
            return "none"
        return "full" if self.match.full else "partial"


def _tokens(normalised: str) -> set[str]:
    return {token for token in normalised.split() if len(token) > 1 and token != "and"}


def best_matches(
    clients: Sequence[MatchInput],
    contacts: Sequence[MatchInput],
    *,
    name_candidates: int = 3,
    common_token_share: float = 0.02,
) -> list[BestMatch]:
    """The best contact for each client (or none), in the order of `clients`.

    Blocking: exact indexes on company number, VAT number, email, email domain and normalised
    name, plus an inverted index of name tokens (tokens shared by more than `common_token_share`
    of contacts are too common to block on). Each client's name is then scored against only its
    token block with `rapidfuzz.process.extract`, and the few candidates are explained by `score()`.
    """
    by_company: dict[str, list[int]] = defaultdict(list)
    by_tax: dict[str, list[int]] = defaultdict(list)
    by_email: dict[str, list[int]] = defaultdict(list)
    by_domain: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    by_token: dict[str, list[int]] = defaultdict(list)
    names: list[str] = []
    for index, contact in enumerate(contacts):
        names.append(contact.normalised_name)
        if contact.company_number:
            by_company[contact.company_number].append(index)
        if contact.tax_number:
            by_tax[contact.tax_number].append(index)
        if contact.email:
            by_email[contact.email].append(index)
        if contact.domain:
            by_domain[contact.domain].append(index)
        if contact.normalised_name:
            by_name[contact.normalised_name].append(index)
        for token in _tokens(contact.normalised_name):
            by_token[token].append(index)
    too_common = max(50, int(len(contacts) * common_token_share))

    results: list[BestMatch] = []
    for client in clients:
        candidates: set[int] = set()
        for key, index in (
            (client.company_number, by_company),
            (client.tax_number, by_tax),
            (client.email, by_email),
            (client.normalised_name, by_name),
        ):
            if key:
                candidates.update(index.get(key, ()))
        if client.domain:
            candidates.update(by_domain.get(client.domain, ())[:too_common])
        if client.normalised_name:
            postings = sorted(
                (by_token[t] for t in _tokens(client.normalised_name) if t in by_token), key=len
            )
            block: set[int] = set()
            for posting in postings:
                if len(posting) > too_common and block:
                    break
                block.update(posting[: too_common * 4])
            if block:
                hits = process.extract(
                    client.normalised_name,
                    {index: names[index] for index in block},
                    scorer=fuzz.token_sort_ratio,
                    score_cutoff=SIMILAR_NAME_MIN,
                    limit=name_candidates,
                )
                candidates.update(index for _, _, index in hits)
        best: tuple[Match, int] | None = None
        for index in candidates:
            match = score(client, contacts[index])
            if best is None or (match.score, -index) > (best[0].score, -best[1]):
                best = (match, index)
        if best is None or best[0].score == 0:
            results.append(BestMatch(client=client, contact=None, match=Match(score=0)))
        else:
            results.append(BestMatch(client=client, contact=contacts[best[1]], match=best[0]))
    return results


def rank(
    client: MatchInput, contacts: Iterable[MatchInput], *, limit: int = 5
) -> list[tuple[MatchInput, Match]]:
    """Score a handful of candidate contacts for one client, best first (ties: by name)."""
    scored = [(contact, score(client, contact)) for contact in contacts]
    scored = [(c, m) for c, m in scored if m.score >= SUGGESTION_MIN]
    scored.sort(key=lambda item: (-item[1].score, item[0].normalised_name, str(item[0].key)))
    return scored[:limit]
