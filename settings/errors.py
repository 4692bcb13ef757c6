"""The one error the settings loader raises: it names the file and the setting."""

from __future__ import annotations


class SettingsError(Exception):
    """A problem with the settings file. `str()` is the whole message a user sees."""

    def __init__(self, file: str, setting: str | None, message: str):
        self.file = file
        self.setting = setting
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"setting `{self.setting}`: " if self.setting else ""
        return f"{self.file}: {where}{self.message}"


class SettingsWarning:
    """Something the settings should change, although they may be deployed. `str()` names the
    file and the setting (None: the file as a whole), like SettingsError."""

    def __init__(self, file: str, setting: str | None, message: str):
        self.file = file
        self.setting = setting
        self.message = message

    def __str__(self) -> str:
        where = f"setting `{self.setting}`: " if self.setting else ""
        return f"{self.file}: {where}{self.message}"

    def __repr__(self) -> str:
        return f"SettingsWarning({str(self)!r})"


class SettingsNote:
    """Where the settings came from, when the user should know (no problem in them): `str()` is
    the whole line's text."""

    def __init__(self, message: str):
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"SettingsNote({self.message!r})"
