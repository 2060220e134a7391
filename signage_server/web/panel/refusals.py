"""A refused write said in the reader's language: domain errors by their stable code and params,
form validation by field and kind of fault (pydantic's ``type``), never the English message.

Pages of the admin half (boards, users and tokens, CAP senders) use ``refusal_text``; a code not
listed here falls back to a generic sentence rather than leak English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from signage_server.core.errors import DomainError
from signage_server.web.panel.labels import N_

T = TypeVar("T")
Translate = Callable[..., str]

CODE_WORDS: dict[str, str] = {
    "board.not_found": N_("This board does not exist or is outside your area."),
    "unit.not_found": N_("This unit does not exist or is outside your area."),
    "user.not_found": N_("This user does not exist or is outside your area."),
    "api_token.not_found": N_("This API token does not exist or is outside your area."),
    "role.forbidden": N_("Your role does not allow this."),
    "board.targeted_by_schedules": N_("Schedules target this board; retarget or delete them first."),
    "pairing.unknown_code": N_("No player shows the code %(pairing_code)s (codes expire after an hour; "
                               "the screen then shows a new one)."),
    "user.username_taken": N_("The user name %(username)s is taken."),
    "user.self_deactivation": N_("You cannot deactivate your own account."),
    "user.unknown_unit": N_("This unit does not exist or is outside your area."),
    "user.weak_password": N_("The password is too easy to guess."),
    "cap_sender.name_taken": N_("A CAP sender named %(name)s exists already."),
    "cap_sender.not_found": N_("This CAP sender does not exist or is outside your area."),
    "layout.not_found": N_("This layout does not exist or is outside your area."),
    "layout.exists": N_("Your unit has a layout of this name already; choose another name."),
    "layout.regions_in_use": N_("Schedules fill regions of this layout (%(regions)s); keep those regions or "
                                "change the schedules first."),
    "layout.invalid": N_("The layout is not valid: check each region's position and size."),
    "layout.unplayable": N_("The layout cannot be played: it needs a main region and no overlap on one "
                            "level."),
    "content.not_editable": N_("A built-in layout cannot be changed; make a custom one instead."),
    "village.not_found": N_("This village does not exist or is outside your area."),
    "unit.not_a_commune": N_("Villages belong under a current commune."),
    "unit.in_use": N_("%(name)s is still in use (boards, users, content or schedules belong to it or "
                      "aim at it); move them first."),
    "unit.into_itself": N_("A unit cannot be merged into itself."),
    "unit.not_valid_on": N_("%(name)s is not valid on %(effective)s (retired already, or it starts later)."),
    "cap_sender.from_setting": N_("This CAP sender is defined by the setting SIGNAGE_CAP_SENDERS; "
                                  "change it there."),
    "cap_sender.bad_certificate": N_("The file is not a PEM certificate."),
    "cap_sender.certificate_expired": N_("The certificate expired on %(expired_on)s."),
}
GENERIC = N_("The change was refused.")

FIELD_WORDS: dict[str, str] = {
    "name": N_("Name"), "unit_id": N_("Unit"), "kind": N_("Kind"), "latitude": N_("Latitude"),
    "longitude": N_("Longitude"), "address": N_("Address"), "width": N_("Width"), "height": N_("Height"),
    "orientation": N_("Orientation"), "capture_x": N_("Capture x"), "capture_y": N_("Capture y"),
    "capture_w": N_("Capture width"), "capture_h": N_("Capture height"), "tags": N_("Tags"),
    "code": N_("Pairing code"), "username": N_("User name"), "password": N_("Password"),
    "full_name": N_("Full name"), "role": N_("Role"), "expires_in_days": N_("Valid for (days)"),
    "token": N_("Token"), "geocode_names": N_("Geocode names"), "new_code": N_("Code of the new unit"),
    "new_name": N_("Name of the new unit"), "effective": N_("Effective from (local date)"),
    "from_ids": N_("Units that end"), "into_id": N_("Existing unit"),
}
FAULT_WORDS: dict[str, str] = {
    "missing": N_("required"),
    "int_parsing": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "greater_than_equal": N_("is too small"),
    "greater_than": N_("is too small"),
    "less_than_equal": N_("is too large"),
    "string_too_short": N_("is too short"),
    "string_too_long": N_("is too long"),
    "too_long": N_("has too many entries"),
    "too_short": N_("needs at least one entry"),
    "string_pattern_mismatch": N_("has characters that are not allowed"),
    "enum": N_("is not one of the choices"),
}
# Model-wide rules (loc ``()``) and field rules whose message is the model's own.
RULE_WORDS: dict[tuple[str, str], str] = {
    ("", "value_error"): N_("The capture rectangle must lie inside the board's resolution."),
    ("code", "value_error"): N_("A pairing code is 6 letters or digits, as shown on the board's screen."),
    ("name", "value_error"): N_("Name: required"),
}


def _field_fault(error: dict[str, Any], tr: Translate) -> str:
    loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
    field = loc[0] if loc else ""
    kind = str(error.get("type", ""))
    rule = RULE_WORDS.get((field, kind))
    if rule is not None:
        return tr(rule)
    label = tr(FIELD_WORDS[field]) if field in FIELD_WORDS else field
    fault = tr(FAULT_WORDS.get(kind, N_("is not valid")))
    return f"{label}: {fault}"


def refusal_text(exc: DomainError | ValidationError, tr: Translate) -> str:
    """What to show for a refused write, in the reader's language (``tr`` is the page's gettext)."""
    if isinstance(exc, ValidationError):
        return "; ".join(dict.fromkeys(_field_fault(dict(e), tr) for e in exc.errors()))
    advice = exc.params.get(f"feedback_{getattr(tr, 'lang', 'vi')}")
    if advice:  # the domain's own words in this language (a weak password says why)
        return str(advice)
    words = CODE_WORDS.get(exc.code)
    if words is None:
        return tr(GENERIC)
    return tr(words, **{k: v for k, v in exc.params.items() if f"%({k})s" in words})


def attempt(action: Callable[[], T], tr: Translate) -> tuple[T | None, str]:
    """Run a service call; a refusal comes back as its words in the reader's language."""
    try:
        return action(), ""
    except (DomainError, ValidationError) as exc:
        return None, refusal_text(exc, tr)
