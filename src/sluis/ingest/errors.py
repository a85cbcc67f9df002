"""Typed errors of the processing engine (each with a stable ``code``).

``Rejected`` is raised by the pre-flight (answered 400 before 201) and by the pipeline (the upload
fails with the same reason). It names every offending file in ``members``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sluis.ingest.contracts import IngestFailed, Problem


@dataclass(frozen=True)
class Offence:
    """One offending file (an archive member, or the upload itself) and what is wrong with it."""

    name: str
    problem: str
    code: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "problem": self.problem, "code": self.code}


class Rejected(IngestFailed):
    """The file (or some of its archive members) cannot be accepted; nothing was extracted."""

    code = "upload_rejected"
    default_detail = "The file was refused."

    def __init__(self, detail: str, *, code: str, offences: list[Offence] | None = None):
        offences = offences or []
        extra = {"members": [o.as_dict() for o in offences]} if offences else {}
        super().__init__(detail, **extra)
        self.code = code
        self.offences = offences

    @classmethod
    def of(cls, offences: list[Offence], *, what: str = "The archive") -> Rejected:
        """One error naming every offence; its code is the offences' code when they agree."""
        codes = {o.code for o in offences}
        code = codes.pop() if len(codes) == 1 else "upload_rejected"
        listed = "; ".join(f"{o.name}: {o.problem}" for o in offences[:10])
        more = f" (and {len(offences) - 10} more)" if len(offences) > 10 else ""
        return cls(f"{what} was refused: {listed}{more}.", code=code, offences=offences)

    def problems(self) -> list[Problem]:
        return [Problem(message=o.problem, file=o.name) for o in self.offences]
