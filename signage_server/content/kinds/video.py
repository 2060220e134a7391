"""A video: a stored clip (``Media`` of type video/*, probed on upload), played at its own frame
rate for its own length, contained or covering its region; muted unless the item asks for sound."""

from __future__ import annotations

from signage_contract import VideoItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

VideoOptions = stored_options(VideoItem, "fit", "background", "muted")


def to_wire(source: ItemSource, common: WireCommon) -> VideoItem:
    clip = source.clip
    if clip is None:  # no facts recorded: the player's defaults (30 fps) and the item's duration
        return VideoItem(media=source.media, **common)
    # A clip plays whole: its airtime is its length, whatever duration the item was saved with.
    return VideoItem(media=source.media, poster=clip.poster, frame_rate=clip.frame_rate, bitrate=clip.bitrate,
                     **{**common, "duration_s": clip.duration_s})


KIND = KindSpec(kind=ItemKind.VIDEO, content=Content.MEDIA, wire_model=VideoItem, options=VideoOptions,
                to_wire=to_wire)
