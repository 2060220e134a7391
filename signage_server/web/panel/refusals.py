# ruff: noqa: E501  (a table of sentences: one per line reads better than wrapped)
"""A refusal in the reader's language: every ``DomainError`` code (and every rejected upload)
has a sentence here, worded with its params; input that does not validate is said field by field
by the error's type. Unknown codes fall back to a sentence by kind, never to the English message.

The administration forms (boards, users and tokens, CAP senders, layouts, villages, units) run their
service calls through ``attempt``: a domain refusal is said by its code as everywhere, a form that does
not validate is said as "field: fault" (``form_text``), with the model's own rules in words.

``N_`` only marks the sentences for extraction; ``Translator`` translates them at render time.
``tests/web/panel/test_refusals.py`` checks that every code the server raises has a sentence."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from signage_server.content.media_store import MediaRejected
from signage_server.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from signage_server.core.validation import describe
from signage_server.web.panel.labels import N_

T = TypeVar("T")
Translate = Callable[..., str]  # the page's ``_``: (message, **values) -> str

SENTENCES: dict[str, str] = {
    # player releases (devices/releases.py)
    "release.province_only": N_("Only an admin of the province manages player releases."),
    "release.channel_unknown": N_("There is no channel “%(channel)s”: choose pilot or stable."),
    "release.version_exists": N_("Release %(version)s was uploaded before; build the new one with a new version."),
    "release.not_found": N_("There is no release %(version)s."),
    # content (media, bulletins, playlists, schedules, layouts) and its workflow
    "content.not_found": N_("This %(kind)s does not exist or lies outside your area."),
    "unit.not_found": N_("This unit does not exist or lies outside your area."),
    "content.invalid": N_("Some values are not valid."),
    "content.not_editable": N_("A built-in layout cannot be changed; make a custom one instead."),
    "content.in_use": N_("This %(kind)s is still in use; remove it from there first."),
    "content.archived": N_("This %(kind)s is archived; restore it first."),
    "content.reference_not_found": N_("The %(kind)s chosen for “%(field)s” does not exist or lies outside your area."),
    "content.role_needed": N_("Your role does not allow this."),
    "content.parts_not_approved": N_("Approve what this shows first: some of its parts are not approved yet."),
    "content.transition_refused": N_("A %(current)s item cannot become %(target)s."),
    "content.transition_role_needed": N_("Your role cannot move an item from %(current)s to %(target)s."),
    "content.four_eyes": N_("Four-eyes rule: you submitted this, so another approver of the unit must decide on it."),
    "content.reason_needed": N_("A rejection needs a reason."),
    "playlist.order_incomplete": N_("The new order must list every item of the playlist exactly once."),
    "schedule.invalid_reference": N_("“%(field)s”: the choice does not exist, lies outside your area or does not fit the layout."),
    "layout.exists": N_("Your unit has a layout of this name already; choose another name."),
    "layout.invalid": N_("The layout is not valid: check each region's position and size."),
    "layout.unplayable": N_("The layout cannot be played: it needs a main region and no overlap on one level."),
    "layout.regions_in_use": N_("Schedules fill regions of this layout (%(regions)s); keep those regions or change the schedules first."),
    "layout.not_found": N_("This layout does not exist or lies outside your area."),
    "media.file_missing": N_("The file of this image is missing from the store; upload it again."),
    "media.no_thumbnail": N_("This image has no thumbnail."),
    # uploads (MediaRejected)
    "media.rejected": N_("The file was not accepted."),
    "media.too_large": N_("The file is too large: the limit is %(limit)s per upload."),
    "media.empty": N_("The file is empty."),
    "media.unsupported_type": N_("This type of file is not accepted; upload a JPEG, PNG or WebP image."),
    "media.mislabelled_type": N_("The file is labelled as another type than its content (%(actual)s); export it again."),
    "media.mislabelled_extension": N_("The file name ends in %(extension)s but the content is %(actual)s; rename it or export it again."),
    "media.too_many_pixels": N_("The image is too large: the limit is %(max_megapixels)s megapixels."),
    "media.damaged": N_("The %(actual)s file is damaged or incomplete; export it again."),
    "content.media_kind": N_("A video item shows a video clip, an image item a picture: choose a file of that kind."),
    "video.unsupported_type": N_("This type of file is not accepted; upload a video in MP4 (H.264 or H.265) or WebM (VP9)."),
    "video.no_video": N_("The file has no picture track."),
    "video.damaged": N_("The video file is damaged or incomplete; export it again."),
    "video.codec": N_("Boards cannot play %(codec)s video in this file; export it as %(allowed)s."),
    "video.duration": N_("The clip lasts %(seconds)s s; a clip must last between %(min_s)s s and %(max_min)s minutes."),
    "video.resolution": N_("The clip is %(size)s pixels; boards play at most %(limit)s."),
    "video.fps": N_("The clip has %(fps)s frames per second; boards play at most %(limit)s."),
    "video.bitrate": N_("The clip uses %(mbps)s Mbit/s; boards play at most %(limit)s Mbit/s."),
    # at approval, for each board a schedule reaches (content/board_fit.py)
    "video.resolution_on_board": N_("The clip “%(clip)s” is %(size)s pixels; board “%(board)s” plays at most %(limit)s. Choose a smaller clip or other boards."),
    "video.fps_on_board": N_("The clip “%(clip)s” has %(fps)s frames per second; board “%(board)s” plays at most %(limit)s. Choose another clip or other boards."),
    "video.bitrate_on_board": N_("The clip “%(clip)s” uses %(mbps)s Mbit/s; board “%(board)s” plays at most %(limit)s Mbit/s. Export it at a lower bitrate or choose other boards."),
    "request.too_large": N_("The request is too large."),
    "request.invalid": N_("The form is not valid."),
    "data.conflict": N_("The change conflicts with existing data (a duplicate name, or something removed meanwhile); reload the page and try again."),
    "data.out_of_range": N_("A value is out of range."),
    "unit.invalid": N_("The units cannot be changed this way."),
    # users, accounts, login
    "role.forbidden": N_("Your role does not allow this."),
    "account.wrong_password": N_("The current password is wrong."),
    "login.wrong_credentials": N_("Wrong user name or password."),
    "login.too_many_failures": N_("Too many failed logins; try again in %(retry_after_s)s seconds."),
    "user.weak_password": N_("The password is too weak."),
    "user.unknown_unit": N_("This unit does not exist or lies outside your area."),
    "user.username_taken": N_("The user name %(username)s is taken."),
    "user.self_deactivation": N_("You cannot deactivate your own account."),
    "user.board_for_owner_only": N_("Only an owner account has a board; leave the board empty."),
    "user.owner_board_needed": N_("An owner account needs a requisitioned board of your area."),
    "user.owner_board_not_requisitioned": N_("This board is not a requisitioned board: make its kind “commercial” first."),
    "user.owner_role_fixed": N_("An owner account stays the owner of its board; make a new account instead."),
    "unit.not_a_commune": N_("Villages belong under a current commune; choose a commune."),
    "user.not_found": N_("This user does not exist or lies outside your area."),
    "api_token.not_found": N_("This API token does not exist or lies outside your area."),
    # villages and unit reorganisation
    "village.not_found": N_("This village does not exist or lies outside your area."),
    "unit.in_use": N_("%(name)s is still in use (boards, users, content or schedules belong to it or aim at it); move them first."),
    "unit.into_itself": N_("A unit cannot be merged into itself."),
    "unit.split_foreign": N_("Only the boards, accounts and villages of %(name)s can be given to its new units."),
    "unit.code_taken": N_("A unit with the code %(unit_code)s already exists on that date; choose another code."),
    "unit.not_valid_on": N_("%(name)s is not valid on %(effective)s (retired already, or it starts later)."),
    # boards and pairing
    "board.invalid": N_("Some values of the board are not valid."),
    "board.not_found": N_("This board does not exist or lies outside your area."),
    "bundle.media_missing": N_("An image of these boards is missing from the media store; the bundle was not made."),
    "board.targeted_by_schedules": N_("Schedules target this board; retarget or delete them first."),
    "board.not_requisitioned": N_("This board is not a requisitioned board: make its kind “commercial” first."),
    "requisition_window.not_found": N_("This requisition window does not exist any more."),
    "pairing.no_free_code": N_("No pairing code is free; try again in %(retry_after_s)s seconds."),
    "pairing.too_many_requests": N_("Too many pairing requests from this address; try again in %(retry_after_s)s seconds."),
    "pairing.full": N_("Too many players are waiting to be paired; try again in %(retry_after_s)s seconds."),
    "pairing.unknown_code": N_("No player shows the code %(pairing_code)s (codes expire after an hour; the screen then shows a new one)."),
    # health
    "period.invalid": N_("Choose a period of 1 to %(max_days)s days."),
    "screenshot.none_yet": N_("This board has sent no screenshot yet."),
    "screenshot.not_found": N_("This screenshot does not exist."),
    "screenshot.file_missing": N_("The file of this screenshot is missing."),
    "screenshot_request.not_found": N_("This screenshot request does not exist."),
    "care.reboot_not_allowed": N_("This board's player does not allow a remote reboot; it is allowed in the player's own config file on the board's PC."),
    "care.bad_level": N_("Choose one of the offered log levels."),
    "care.bad_line_count": N_("Ask for 1 to %(max)s log lines."),
    "care.log_fetch_not_found": N_("This log request does not exist."),
    # emergencies
    "override.not_found": N_("This emergency does not exist or lies outside your area."),
    "unit.not_found_target": N_("A chosen unit does not exist or lies outside your area."),
    "tag.not_found": N_("No board carries the chosen tag."),
    "override.expires_in_past": N_("The end must be in the future."),
    "override.invalid_window": N_("The end must come after the start."),
    "override.too_long": N_("An emergency may run at most %(max_hours)s hours."),
    "override.no_target": N_("Choose where the emergency shows: everywhere, or at least one unit, board or tag."),
    "override.operators_only": N_("Only operators and admins issue emergencies."),
    "override.not_pending": N_("This emergency is %(state)s, no longer waiting for confirmation."),
    "override.expired": N_("This emergency expired before it was confirmed."),
    "override.issued_above": N_("This emergency was issued above your unit; its issuer acts on it."),
    "override.not_live": N_("This emergency has ended and can no longer be changed."),
    "override.image_needs_unit": N_("An image is filed under your unit, and your account has none; ask an admin."),
    "publication.invalid_reference": N_("Something you chose is no longer available to you; choose the boards, units and images again."),
    "submission.decision_only": N_("A submission is approved or rejected as a whole."),
    "submission.edit_gone": N_("What this edit changes no longer exists."),
    "submission.parts_withdrawn": N_("Part of this was withdrawn or rejected since it was sent; ask the author to send it again."),
    "override.already_ended": N_("This emergency has already ended."),
    # CAP alerts (API only, said the same way)
    "cap.rejected": N_("The CAP alert is not valid."),
    "cap.unknown_unit": N_("The CAP sender is configured with an unknown unit."),
    "cap.outside_unit": N_("The alert's areas lie outside the sender's unit."),
    "cap.no_board": N_("The alert's areas cover no board."),
    # CAP senders (administration)
    "cap_sender.name_taken": N_("A CAP sender named %(name)s exists already."),
    "cap_sender.not_found": N_("This CAP sender does not exist or lies outside your area."),
    "cap_sender.from_setting": N_("This CAP sender is defined by the setting SIGNAGE_CAP_SENDERS; change it there."),
    "cap_sender.bad_certificate": N_("The file is not a PEM certificate."),
    "cap_sender.certificate_expired": N_("The certificate expired on %(expired_on)s."),
    # RSS and Atom feeds (refusals, and the failure a feed's page shows)
    "feed.not_found": N_("This feed does not exist or lies outside your area."),
    "feed.trust_role_needed": N_("Only an admin or an approver may trust a feed."),
    "feed.bad_url": N_("Give the feed's address starting with http:// or https://."),
    "feed.invalid": N_("The address does not give an RSS or Atom feed, or the feed is damaged."),
    "feed.timeout": N_("The feed did not answer in time."),
    "feed.unreachable": N_("The feed's server cannot be reached."),
    "feed.http_status": N_("The feed's server answered with an error."),
    "feed.too_large": N_("The feed is too large to read."),
    "feed.too_many_redirects": N_("The feed's address redirects too many times."),
    "feed.redirect_refused": N_("The feed's address redirects to an address that is not http or https."),
    "feed.private_address": N_("The feed's address leads into the server's own network, which is not allowed."),
    "feed.owner_inactive": N_("The account that set up this feed is disabled; a current editor must save the feed again."),
    "feed.playlist_missing": N_("The playlist of this feed was deleted; choose another one."),

    # proof of play and bulletin webhooks (reports/)
    "plays.period": N_("The end of the period is before its start."),
    "plays.cursor": N_("This page link is not valid any more; start again from the first page."),
    "webhook.url": N_("Give the webhook's address starting with http:// or https://, without a user name or password."),
    "webhook.private": N_("The webhook's address leads into the server's own network, which is not allowed."),
    "webhook.not_found": N_("This account has no bulletin webhook."),
    # text pasted from old documents in TCVN3 (ABC) or VNI that could not be converted with confidence
    "text.legacy_mixed": N_("“%(field)s” mixes Unicode Vietnamese with text in %(encoding)s (%(words)s); "
                            "retype it, or convert the whole text to Unicode and paste it again."),
    "text.legacy_ambiguous": N_("“%(field)s” could be in more than one old encoding (%(encoding)s: %(words)s); "
                                "retype it, or convert it to Unicode and paste it again."),
    "text.legacy_unsure": N_("“%(field)s” looks like text in %(encoding)s (%(words)s) but does not read as "
                             "Vietnamese once converted; retype it, or convert it to Unicode and paste it again."),
    # Bulletin intake (API only, said the same way) and its sources (administration)
    "intake.not_a_source": N_("This account is not the account of an enabled intake source."),
    "intake.unknown_unit": N_("No unit with code %(unit_code)s lies in your area on %(day)s."),
    "intake.unknown_image": N_("No image with sha256 %(sha256)s lies in your area; send the image first."),
    "intake_source.not_found": N_("This intake source does not exist or lies outside your area."),
    "intake_source.name_taken": N_("An intake source named %(name)s exists already."),
    "intake_source.account_taken": N_("The account %(user)s already sends for another intake source."),
    "intake_source.account_not_editor": N_("The account %(user)s must be an active editor to send bulletins."),
    "intake_source.unit_out_of_scope": N_("A trusted unit lies outside the area of the source's account."),
    "qr.too_small": N_("The QR code would be too fine to scan on board “%(board)s”: in its region “%(region)s” (%(width)s×%(height)s px) a module gets %(module_px)s px, and at least %(min_px)s are needed. Choose a larger region or layout, a shorter address, or no caption."),
    # spoken announcements (content/speech.py)
    "speech.empty": N_("There is no text to read aloud."),
    "speech.too_long": N_("A text read aloud holds at most %(limit)s characters; this one has %(length)s. Shorten it, or do not read it aloud."),
    "speech.unavailable": N_("The server cannot read texts aloud: its speech engine is not installed. Ask the administrator, or do not read it aloud."),
    "speech.failed": N_("The text could not be read aloud; nothing was saved. Try again, or do not read it aloud."),
    "board_audio.quiet_hours": N_("Quiet hours need both a start and an end, and they must differ."),
    # PDF documents (content/pdf_media.py)
    "media.pdf_not_pdf": N_("The file is named or labelled as a PDF but its content is not a PDF document."),
    "media.pdf_encrypted": N_("The PDF is encrypted (a password, or protection against copying or printing); save it again without protection."),
    "media.pdf_too_many_pages": N_("The PDF has %(pages)s pages; the limit is %(limit)s. Split it into smaller documents."),
    "media.pdf_page_too_large": N_("Page %(page)s of the PDF is %(width_cm)s × %(height_cm)s cm; the limit is %(limit_cm)s cm a side."),
    "media.pdf_too_slow": N_("The PDF takes too long to draw (over %(limit_s)s seconds); simplify it or split it."),
    "media.no_page": N_("This document has no page %(page)s."),
    "content.pdf_kind_mismatch": N_("A PDF document is shown by a “pdf” item, an image by an “image” item: choose the kind that fits the file."),
    "override.media_is_pdf": N_("An emergency shows an image, not a PDF document."),
}

BY_KIND: tuple[tuple[type[DomainError], str], ...] = (
    (NotFound, N_("This does not exist or lies outside your area.")),
    (Conflict, N_("The change conflicts with the current state; reload the page and try again.")),
    (Invalid, N_("Some values are not valid.")),
    (Forbidden, N_("Your role or area does not allow this.")),
)
REFUSED = N_("The request was refused.")

# Words a param may carry that the catalogs translate (states, kinds, fields).
FIELD_NAMES: dict[str, str] = {
    "title": N_("Title"), "body": N_("Text"), "name": N_("Name"), "username": N_("User name"),
    "password": N_("Password"), "new_password": N_("New password"), "current_password": N_("Current password"),
    "full_name": N_("Full name"), "unit_id": N_("Unit"), "role": N_("Role"), "category": N_("Category"),
    "priority": N_("Priority"), "valid_from": N_("Valid from"), "valid_until": N_("Valid until"),
    "start_date": N_("First day"), "end_date": N_("Last day"), "daily_start": N_("From (time of day)"),
    "daily_end": N_("Until (time of day)"), "days": N_("Days"), "layout_id": N_("Layout"), "regions": N_("Regions"),
    "target_unit_id": N_("Target unit"), "target_board_id": N_("Target board"), "target_tag": N_("Target tag"),
    "playlist_id": N_("Playlist"), "media_id": N_("Image"), "bulletin_id": N_("Bulletin"), "kind": N_("Kind"),
    "duration_s": N_("Duration (seconds)"), "text": N_("Text"), "reason": N_("Reason"), "expires_at": N_("Expires"),
    "starts_at": N_("Starts"), "risk_level": N_("Risk level"), "pairing_code": N_("Pairing code"),
    "item_ids": N_("Items"), "width": N_("Width"), "height": N_("Height"), "weight": N_("Share of airtime"),
    "from": N_("First day"), "to": N_("Last day"), "file": N_("File"), "board_id": N_("Board"),
    "user_id": N_("User"), "schedule_id": N_("Schedule"), "override_id": N_("Emergency"), "item_id": N_("Item"),
    "shot_id": N_("Screenshot"), "request_id": N_("Request"),
}
VALIDATION_SENTENCES: dict[str, str] = {
    "missing": N_("“%(field)s” is required."),
    "string_too_short": N_("“%(field)s” is too short (at least %(min_length)s characters)."),
    "string_too_long": N_("“%(field)s” is too long (at most %(max_length)s characters)."),
    "too_short": N_("“%(field)s” needs at least %(min_length)s entries."),
    "too_long": N_("“%(field)s” takes at most %(max_length)s entries."),
    "greater_than_equal": N_("“%(field)s” must be at least %(ge)s."),
    "greater_than": N_("“%(field)s” must be more than %(gt)s."),
    "less_than_equal": N_("“%(field)s” must be at most %(le)s."),
    "less_than": N_("“%(field)s” must be less than %(lt)s."),
    "int_parsing": N_("“%(field)s” must be a whole number."),
    "float_parsing": N_("“%(field)s” must be a number."),
    "date_parsing": N_("“%(field)s” is not a valid date."),
    "date_from_datetime_parsing": N_("“%(field)s” is not a valid date."),
    "datetime_parsing": N_("“%(field)s” is not a valid date and time."),
    "datetime_from_date_parsing": N_("“%(field)s” is not a valid date and time."),
    "time_parsing": N_("“%(field)s” is not a valid time (hh:mm)."),
    "enum": N_("“%(field)s”: choose one of the options."),
    "literal_error": N_("“%(field)s”: choose one of the options."),
}
INVALID_VALUE = N_("“%(field)s” is not valid.")
# Rules across fields (content/schemas.py model validators) by their English message
VALUE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"an? (?P<kind>\w+) item needs (?P<field>\w+)"), N_("A %(kind)s item needs “%(field)s”.")),
    (re.compile(r"an? (?P<kind>\w+) item takes no (?P<field>\w+)"), N_("A %(kind)s item takes no “%(field)s”.")),
    (re.compile(r"valid_until must be after valid_from"), N_("“Valid until” must come after “Valid from”.")),
    (re.compile(r"give both daily_start and daily_end"), N_("Give both times of day, or neither (all day).")),
    (re.compile(r"end_date .* is before start_date"), N_("The last day comes before the first day.")),
    (re.compile(r"target_kind (?P<kind>\w+) needs (?P<field>\w+)"), N_("Choose the “%(field)s”.")),
    (re.compile(r"weekdays must not repeat"), N_("A day is ticked twice.")),
    (re.compile(r"a qr code needs an http"), N_("A QR code needs an address starting with http:// or https://.")),
    (re.compile(r"a qr code address may have at most (?P<max_chars>\d+)"), N_("The address is too long for a QR code a board can show: at most %(max_chars)s characters.")),
    (re.compile(r"a qr code caption may have at most (?P<max_chars>\d+)"), N_("The caption of the QR code is too long: at most %(max_chars)s characters.")),
)
INVALID_FORM = N_("The form is not valid.")
A_VALUE = N_("a value")


# "field: fault" for the administration forms (``form_text``)
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
    "off": N_("Screen off"), "dim": N_("Brightness (LED boards)"),
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
    "time_parsing": N_("needs both times (hh:mm)"),
}
# Model-wide rules (loc ``()``) and field rules whose message is the model's own.
RULE_WORDS: dict[tuple[str, str], str] = {
    ("", "value_error"): N_("The capture rectangle must lie inside the board's resolution."),
    ("code", "value_error"): N_("A pairing code is 6 letters or digits, as shown on the board's screen."),
    ("name", "value_error"): N_("Name: required"),
    ("off", "value_error"): N_("Screen off: a window must end at another time than it starts."),
    ("dim", "value_error"): N_("Brightness: a window must end at another time than it starts."),
}


def _field(loc: Sequence[Any], tr: Translate) -> str | None:
    """The field's name in words (None for an error about the whole form)."""
    names = [str(part) for part in loc if isinstance(part, str) and part not in {"body", "query", "form", "path"}]
    if not names:
        return None
    for name in (names[-1], names[0]):
        if name in FIELD_NAMES:
            return tr(FIELD_NAMES[name])
    return tr(A_VALUE)  # a field without a name here: never its code


def _rule_text(message: str, tr: Translate) -> str:
    for pattern, sentence in VALUE_ERRORS:
        found = pattern.search(message)
        if found:
            words = found.groupdict()
            if "field" in words:
                words["field"] = tr(FIELD_NAMES.get(words["field"], words["field"]))
            if "kind" in words:
                words["kind"] = tr(words["kind"])
            return tr(sentence) % words
    return tr(INVALID_FORM)


def validation_text(errors: Sequence[Mapping[str, Any]], tr: Translate) -> str:
    """Each failed field in one sentence of the reader's language."""
    said = []
    for error in errors:
        field = _field(error.get("loc", ()), tr)
        if field is None:  # a rule across fields (model validator)
            said.append(_rule_text(str(error.get("msg", "")), tr))
            continue
        context = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, int | float | str)}
        sentence = VALIDATION_SENTENCES.get(str(error.get("type", "")), INVALID_VALUE)
        try:
            said.append(tr(sentence) % {**context, "field": field})
        except (KeyError, ValueError, TypeError):  # a context short of a value the sentence names
            said.append(tr(INVALID_VALUE) % {"field": field})
    return " ".join(dict.fromkeys(said)) or tr(INVALID_FORM)


def _field_fault(error: Mapping[str, Any], tr: Translate) -> str:
    loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
    field = loc[0] if loc else ""
    kind = str(error.get("type", ""))
    rule = RULE_WORDS.get((field, kind))
    if rule is not None:
        return tr(rule)
    label = tr(FIELD_WORDS[field]) if field in FIELD_WORDS else field
    fault = tr(FAULT_WORDS.get(kind, N_("is not valid")))
    return f"{label}: {fault}"


def form_text(exc: ValidationError, tr: Translate) -> str:
    """An administration form that does not validate, as "field: fault" per field."""
    return "; ".join(dict.fromkeys(_field_fault(e, tr) for e in exc.errors())) or tr(INVALID_FORM)


def _words(params: Mapping[str, Any], tr: Translate) -> dict[str, Any]:
    """Params as shown: enum words and field names translated, the rest as they are."""
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key == "field" and isinstance(value, str):
            shown[key] = _field(value.split("."), tr) or value
        elif key in {"kind", "current", "target", "state"} and isinstance(value, str):
            shown[key] = tr(value)
        elif isinstance(value, list | tuple | set | frozenset):
            shown[key] = ", ".join(str(item) for item in value)
        else:
            shown[key] = "" if value is None else value
    return shown


def _fallback(exc: DomainError) -> str:
    return next((text for kind, text in BY_KIND if isinstance(exc, kind)), REFUSED)


class Refusal(str):
    """A refused action's English message (what ``str`` gives, for logs and the API's wording) that
    keeps its exception, so the page says it in the reader's language (``Pages.render``)."""

    exc: DomainError | MediaRejected | ValidationError

    def __new__(cls, exc: DomainError | MediaRejected | ValidationError) -> Refusal:
        english = describe(exc) if isinstance(exc, ValidationError) else exc.message
        made = super().__new__(cls, english)
        made.exc = exc
        return made


def refusal_text(exc: DomainError | MediaRejected | ValidationError, tr: Translate, lang: str | None = None) -> str:
    """What the panel says about a refused action, in the reader's language (``lang`` defaults to
    the translator's)."""
    lang = lang or getattr(tr, "lang", "vi")
    if isinstance(exc, ValidationError):
        return validation_text(exc.errors(), tr)
    if isinstance(exc.__cause__, ValidationError):  # content.invalid and its kin: say which field
        return validation_text(exc.__cause__.errors(), tr)
    advice = exc.params.get(f"feedback_{lang}")
    if advice:  # the domain's own advice in this language (a weak password's)
        return str(advice)
    sentence = SENTENCES.get(exc.code)
    if sentence is None:
        return tr(_fallback(exc) if isinstance(exc, DomainError) else REFUSED)
    try:
        return tr(sentence) % _words(exc.params, tr)
    except (KeyError, ValueError, TypeError):  # a sentence naming a param this raise left out
        return tr(_fallback(exc) if isinstance(exc, DomainError) else REFUSED)


def attempt(action: Callable[[], T], tr: Translate) -> tuple[T | None, str]:
    """Run a service call of an administration form; a refusal comes back as its words in the
    reader's language."""
    try:
        return action(), ""
    except ValidationError as exc:
        return None, form_text(exc, tr)
    except DomainError as exc:
        if isinstance(exc.__cause__, ValidationError):
            return None, form_text(exc.__cause__, tr)
        return None, refusal_text(exc, tr)
