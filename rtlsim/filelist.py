"""Read ``rtl/<top>.f``, the one file list per top that feeds simulation, lint and synthesis.

Format (as written in ``rtl/``): one source per line, paths relative to the repository root
(a path relative to the ``.f`` file's folder is accepted too), ``+incdir+DIR`` for include
directories, ``-f other.f`` to include another list, ``//`` and ``#`` comments.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RTL = REPO / "rtl"


@dataclass
class FileList:
    top: str
    sources: list[Path] = field(default_factory=list)
    incdirs: list[Path] = field(default_factory=list)


def _resolve(token: str, fdir: Path) -> Path:
    for base in (REPO, fdir):
        p = (base / token).resolve()
        if p.exists():
            return p
    raise FileNotFoundError(f"{token!r} named in a file list under {fdir} exists neither "
                            f"relative to the repository nor to the list's folder")


def read_filelist(path: Path, top: str | None = None, _seen: set[Path] | None = None) -> FileList:
    """Parse one ``.f`` file (recursively through ``-f``); sources keep their order, no repeats."""
    path = Path(path).resolve()
    seen = set() if _seen is None else _seen
    fl = FileList(top=top or path.stem)
    if path in seen:
        return fl
    seen.add(path)
    tokens = []
    for line in path.read_text().splitlines():
        line = line.split("//", 1)[0].split("#", 1)[0].strip()
        tokens += line.split()
    it = iter(tokens)
    for tok in it:
        if tok.startswith("+incdir+"):
            for d in tok[len("+incdir+"):].split("+"):
                if d:
                    fl.incdirs.append(_resolve(d, path.parent))
        elif tok == "-f":
            sub = read_filelist(_resolve(next(it), path.parent), fl.top, seen)
            fl.sources += [s for s in sub.sources if s not in fl.sources]
            fl.incdirs += [d for d in sub.incdirs if d not in fl.incdirs]
        elif tok.startswith(("+", "-")):
            continue  # simulator options (+define+ etc.) are not synthesis inputs
        else:
            src = _resolve(tok, path.parent)
            if src not in fl.sources:
                fl.sources.append(src)
    return fl


def filelist_for(top: str) -> FileList:
    """The file list of a top: ``rtl/<top>.f``, or ``rtl/<top>.v`` alone when there is none."""
    f = RTL / f"{top}.f"
    if f.exists():
        return read_filelist(f, top)
    v = RTL / f"{top}.v"
    if v.exists():
        return FileList(top=top, sources=[v.resolve()], incdirs=[RTL.resolve()])
    tops = sorted(p.stem for p in RTL.glob("*.f"))
    raise FileNotFoundError(f"no rtl/{top}.f or rtl/{top}.v; tops with a file list: {tops}")


def available_tops() -> list[str]:
    return sorted(p.stem for p in RTL.glob("*.f"))
