"""Words the templates show for enum values. ``N_`` only marks them for extraction (Babel ``-k N_``);
the page translates them when it renders."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


ENUM_WORDS = (
    # roles
    N_("admin"), N_("editor"), N_("approver"), N_("operator"), N_("viewer"), N_("owner"),
    # board kinds and orientation
    N_("public"), N_("commercial"), N_("landscape"), N_("portrait"),
    # content states
    N_("draft"), N_("submitted"), N_("approved"), N_("rejected"), N_("published"),
    # item kinds
    N_("image"), N_("bulletin"), N_("text"), N_("ticker"), N_("clock"),
    N_("qr"),  # item kind: a QR code
    N_("video"),
    N_("pdf"),
    # play reasons
    N_("scheduled"), N_("priority"), N_("emergency"), N_("fallback"),
    # priorities (Circular 39/2020/TT-BTTTT)
    N_("normal"),
    # layout region roles
    N_("main"), N_("logo"), N_("side"), N_("title"),
    # board link states (health)
    N_("online"), N_("offline"), N_("never_seen"),
    # targets
    N_("board"), N_("unit"), N_("tag"),
    # unit levels
    N_("province"), N_("commune"), N_("village"),
    # Decree 49 categories
    N_("policy_law"), N_("socio_economic"), N_("public_order"), N_("incidents"),
    N_("exemplary_people"), N_("products_services"), N_("other"),
)
# built-in layouts' region ids (layouts/*.json): the panel names a region, never shows its id
REGION_WORDS = {"main": N_("main area"), "ticker": N_("ticker"), "clock": N_("clock"),
                "side": N_("side area"), "logo": N_("logo"), "title": N_("title")}
# Decision 18/2021/QĐ-TTg: the five disaster risk levels, said by what each means; the colour is
# only a hint beside it (colour names alone do not tell an operator how grave a level is)
RISK_MEANINGS = {1: N_("small risk"), 2: N_("medium risk"), 3: N_("large risk"), 4: N_("very large risk"),
                 5: N_("disaster")}
RISK_COLOUR_NAMES = {1: N_("light blue"), 2: N_("light yellow"), 3: N_("orange"), 4: N_("red"),
                     5: N_("purple")}
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))
