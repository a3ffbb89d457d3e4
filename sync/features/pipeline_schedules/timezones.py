"""Time zones for schedule triggers: CluedIn's run schedule accepts IANA or Windows ids, ADF only Windows ids.

ADF ScheduleTrigger `timeZone` takes Windows time zone ids ("UTC", "W. Europe Standard Time"); CluedIn's F13
setting documents both kinds ("Asia/Manila", "Pacific Standard Time"). IANA ids are mapped with CLDR's
windowsZones table as shipped by `tzlocal` (a small, dependency-free package); wall-clock arithmetic uses the
IANA zone from the standard library's `zoneinfo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import tz_win, win_tz

UTC_IDS = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z", "Coordinated Universal Time"})


@dataclass(frozen=True)
class TimeZoneChoice:
    """A zone as ADF names it (Windows id) and as Python computes with it (IANA)."""

    windows_id: str
    iana_id: str

    def zone(self) -> ZoneInfo:
        """The zoneinfo object for local-time arithmetic."""
        return ZoneInfo(self.iana_id)


UTC = TimeZoneChoice("UTC", "UTC")


def resolve_time_zone(text: str) -> TimeZoneChoice | None:
    """The zone named by a Windows or IANA id (case-insensitive for Windows ids), or None if unknown."""
    name = text.strip()
    if name in UTC_IDS or name.upper() == "UTC":
        return UTC
    windows = {w.lower(): w for w in win_tz}
    if name.lower() in windows:
        windows_id = windows[name.lower()]
        return TimeZoneChoice(windows_id, win_tz[windows_id])
    if name in tz_win:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return TimeZoneChoice(tz_win[name], name)
    return None
